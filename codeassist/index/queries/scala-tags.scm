; Tags for Scala 2 and 3 (tree-sitter-scala 0.26).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(trait_definition name: (identifier) @name.definition.trait) @definition.trait

[
  (class_definition name: (identifier) @name.definition.class)
  (object_definition name: (identifier) @name.definition.class)
] @definition.class

(enum_definition name: (identifier) @name.definition.enum) @definition.enum

[
  (simple_enum_case name: (identifier) @name.definition.constant)
  (full_enum_case name: (identifier) @name.definition.constant)
] @definition.constant

; Members of a class, trait or object are methods; the rest functions.
(template_body
  [
    (function_definition name: (identifier) @name.definition.method)
    (function_declaration name: (identifier) @name.definition.method)
  ] @definition.method)

[
  (function_definition name: (identifier) @name.definition.function)
  (function_declaration name: (identifier) @name.definition.function)
] @definition.function

(type_definition name: (type_identifier) @name.definition.type) @definition.type

; Capitalised vals in a file or a template body are constants by convention.
((template_body
  (val_definition pattern: (identifier) @name.definition.constant) @definition.constant)
  (#match? @name.definition.constant "^[A-Z]"))

((compilation_unit
  (val_definition pattern: (identifier) @name.definition.constant) @definition.constant)
  (#match? @name.definition.constant "^[A-Z]"))

; ---- references ----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (identifier) @name.reference.call)
    (generic_function function: [
      (identifier) @name.reference.call
      (field_expression field: (identifier) @name.reference.call)
    ])
  ]) @reference.call

(instance_expression
  [
    (type_identifier) @name.reference.class
    (generic_type type: (type_identifier) @name.reference.class)
  ]) @reference.class

(extends_clause
  [
    (type_identifier) @name.reference.class
    (generic_type type: (type_identifier) @name.reference.class)
  ]) @reference.class

((type_identifier) @name.reference.type @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

; import a.b.C / import a.b.{C => D, E}
(import_declaration (identifier) @name.reference.import .) @reference.import

(import_declaration
  (namespace_selectors [
    (identifier) @name.reference.import
    (arrow_renamed_identifier name: (identifier) @name.reference.import)
  ])) @reference.import
