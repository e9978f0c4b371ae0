# frozen_string_literal: true

require "json"
require_relative "store/base"

module Billing
  TAX_RATE = 0.2

  class Invoice < Store::Base
    include Comparable
    attr_reader :lines

    def initialize(customer)
      @customer = customer
      @lines = []
    end

    def add(item, price)
      lines << Line.new(item, price)
      self
    end

    def total
      subtotal = lines.sum(&:price)
      subtotal + tax(subtotal)
    end

    def self.load(path)
      data = JSON.parse(File.read(path))
      new(data.fetch("customer"))
    end

    private

    def tax(amount)
      (amount * TAX_RATE).round(2)
    end
  end

  Line = Struct.new(:item, :price)

  def self.format(invoice)
    "#{invoice.total} EUR"
  end
end
