; Tags for Rust (tree-sitter-rust 0.24).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; Functions inside impl and trait blocks are methods (associated functions too);
; a mod block is also a declaration_list, hence the explicit parents.
(impl_item
  body: (declaration_list
    (function_item name: (identifier) @name.definition.method) @definition.method))

(trait_item
  body: (declaration_list
    [
      (function_item name: (identifier) @name.definition.method)
      (function_signature_item name: (identifier) @name.definition.method)
    ] @definition.method))

[
  (function_item name: (identifier) @name.definition.function)
  (function_signature_item name: (identifier) @name.definition.function)
] @definition.function

[
  (struct_item name: (type_identifier) @name.definition.struct)
  (union_item name: (type_identifier) @name.definition.struct)
] @definition.struct

(enum_item name: (type_identifier) @name.definition.enum) @definition.enum

(trait_item name: (type_identifier) @name.definition.trait) @definition.trait

(type_item name: (type_identifier) @name.definition.type) @definition.type

[
  (const_item name: (identifier) @name.definition.constant)
  (static_item name: (identifier) @name.definition.constant)
] @definition.constant

(mod_item name: (identifier) @name.definition.module) @definition.module

(macro_definition name: (identifier) @name.definition.macro) @definition.macro

; ---- references ----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (scoped_identifier name: (identifier) @name.reference.call)
    (generic_function function: [
      (identifier) @name.reference.call
      (field_expression field: (field_identifier) @name.reference.call)
      (scoped_identifier name: (identifier) @name.reference.call)
    ])
  ]) @reference.call

(macro_invocation
  macro: [
    (identifier) @name.reference.call
    (scoped_identifier name: (identifier) @name.reference.call)
  ]) @reference.call

(impl_item
  trait: [
    (type_identifier) @name.reference.implementation
    (scoped_type_identifier name: (type_identifier) @name.reference.implementation)
    (generic_type type: (type_identifier) @name.reference.implementation)
  ]) @reference.implementation

((type_identifier) @name.reference.type @reference.type
  (#not-eq? @name.reference.type "Self"))

; use a::b::C; use a::{b, C as D};
(use_declaration
  argument: [
    (scoped_identifier name: (identifier) @name.reference.import)
    (identifier) @name.reference.import
    (use_as_clause path: [
      (scoped_identifier name: (identifier) @name.reference.import)
      (identifier) @name.reference.import
    ])
  ]) @reference.import

(use_list
  [
    (identifier) @name.reference.import
    (scoped_identifier name: (identifier) @name.reference.import)
    (use_as_clause path: [
      (scoped_identifier name: (identifier) @name.reference.import)
      (identifier) @name.reference.import
    ])
  ] @reference.import)
