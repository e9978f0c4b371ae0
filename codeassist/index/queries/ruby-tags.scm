; Tags for Ruby (tree-sitter-ruby 0.23).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; A def at the top of a file is a function; inside a class or module, a method.
(program (method name: (_) @name.definition.function) @definition.function)

[
  (method name: (_) @name.definition.method)
  (singleton_method name: (_) @name.definition.method)
  (alias name: (_) @name.definition.method)
] @definition.method

; class Name / class Outer::Name: the last segment is the name.
(class
  name: [
    (constant) @name.definition.class
    (scope_resolution name: (_) @name.definition.class)
  ]) @definition.class

(singleton_class
  value: [
    (constant) @name.definition.class
    (scope_resolution name: (_) @name.definition.class)
  ]) @definition.class

(module
  name: [
    (constant) @name.definition.module
    (scope_resolution name: (_) @name.definition.module)
  ]) @definition.module

(assignment left: (constant) @name.definition.constant) @definition.constant

; ---- references ----------------------------------------------------------

((call
  method: (identifier) @_require
  arguments: (argument_list . (string (string_content) @name.reference.module))) @reference.module
  (#any-of? @_require "require" "require_relative" "load" "autoload"))

; Mixins: include Comparable, extend Forwardable.
((call
  method: (identifier) @_mixin
  arguments: (argument_list [
    (constant) @name.reference.implementation
    (scope_resolution name: (constant) @name.reference.implementation)
  ])) @reference.implementation
  (#any-of? @_mixin "include" "extend" "prepend"))

((call method: (identifier) @name.reference.call) @reference.call
  (#not-any-of? @name.reference.call "require" "require_relative" "load" "autoload" "include" "extend" "prepend"))

(superclass
  [
    (constant) @name.reference.class
    (scope_resolution name: (constant) @name.reference.class)
  ]) @reference.class

; Other constants: ALL_CAPS ones are values, the rest classes and modules.
(((constant) @name.reference.constant @reference.constant)
  (#match? @name.reference.constant "^[A-Z][A-Z0-9_]+$"))

((constant) @name.reference.class @reference.class)
