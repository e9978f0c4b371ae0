; Tags for Go (tree-sitter-go 0.25).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(function_declaration name: (identifier) @name.definition.function) @definition.function

(method_declaration name: (field_identifier) @name.definition.method) @definition.method

; Methods an interface requires.
(method_elem name: (field_identifier) @name.definition.method) @definition.method

(type_spec name: (type_identifier) @name.definition.struct type: (struct_type)) @definition.struct

(type_spec name: (type_identifier) @name.definition.interface type: (interface_type)) @definition.interface

[
  (type_spec name: (type_identifier) @name.definition.type)
  (type_alias name: (type_identifier) @name.definition.type)
] @definition.type

; Package-level constants and variables (function-local ones are not API).
(source_file
  (const_declaration (const_spec name: (identifier) @name.definition.constant) @definition.constant))

(source_file
  (var_declaration (var_spec name: (identifier) @name.definition.variable) @definition.variable))

; ---- references ----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (parenthesized_expression (identifier) @name.reference.call)
    (selector_expression field: (field_identifier) @name.reference.call)
    (parenthesized_expression (selector_expression field: (field_identifier) @name.reference.call))
    (generic_type type: (type_identifier) @name.reference.call)
  ]) @reference.call

; Named types, leaving out the predeclared ones every file uses.
((type_identifier) @name.reference.type @reference.type
  (#not-any-of? @name.reference.type
    "any" "bool" "byte" "comparable" "complex64" "complex128" "error" "float32" "float64"
    "int" "int8" "int16" "int32" "int64" "rune" "string"
    "uint" "uint8" "uint16" "uint32" "uint64" "uintptr"))

(import_spec
  path: (interpreted_string_literal (interpreted_string_literal_content) @name.reference.module)) @reference.module
