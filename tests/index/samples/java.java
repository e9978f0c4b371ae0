package com.example.billing;

import java.util.ArrayList;
import java.util.List;
import static java.util.Objects.requireNonNull;

public class InvoiceService implements Service<Invoice> {
    public static final int MAX_LINES = 100;

    private final List<Invoice> invoices = new ArrayList<>();
    private final TaxPolicy policy;

    public InvoiceService(TaxPolicy policy) {
        this.policy = requireNonNull(policy);
    }

    @Override
    public Invoice create(Customer customer) {
        Invoice invoice = new Invoice(customer, policy.rate());
        invoices.add(invoice);
        return invoice;
    }

    public List<Invoice> all() {
        return List.copyOf(invoices);
    }

    static class Line {
        String item;
        long cents;
    }
}

interface Service<T> {
    T create(Customer customer);
}

enum Currency {
    EUR,
    USD;

    String symbol() {
        return this == EUR ? "€" : "$";
    }
}

record Customer(String name, Currency currency) {}

@interface Audited {
    String value();
}
