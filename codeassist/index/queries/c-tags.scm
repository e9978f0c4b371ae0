; Tags for C (tree-sitter-c 0.24).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; Function bodies, whether they return a value or a pointer (one or two levels).
(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name.definition.function)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))
    (pointer_declarator declarator: (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name.definition.function)))
  ]) @definition.function

; Prototypes: most of what a header declares.
(declaration
  declarator: [
    (function_declarator declarator: (identifier) @name.definition.function)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))
    (pointer_declarator declarator: (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name.definition.function)))
  ]) @definition.function

[
  (struct_specifier name: (type_identifier) @name.definition.struct body: (_))
  (union_specifier name: (type_identifier) @name.definition.struct body: (_))
] @definition.struct

(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum

(type_definition declarator: (type_identifier) @name.definition.type) @definition.type

(type_definition
  declarator: (pointer_declarator declarator: (type_identifier) @name.definition.type)) @definition.type

(preproc_def name: (identifier) @name.definition.constant) @definition.constant

(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro

(enumerator name: (identifier) @name.definition.constant) @definition.constant

; File-scope objects: UPPER_CASE ones are constants, the rest variables.
((translation_unit
  (declaration
    declarator: [
      (identifier) @name.definition.constant
      (init_declarator declarator: (identifier) @name.definition.constant)
    ]) @definition.constant)
  (#match? @name.definition.constant "^_*[A-Z][A-Z0-9_]*$"))

(translation_unit
  (declaration
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name.definition.variable))
      (pointer_declarator declarator: (identifier) @name.definition.variable)
    ]) @definition.variable)

; ---- references ----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
  ]) @reference.call

(type_identifier) @name.reference.type @reference.type

(preproc_include
  path: [
    (string_literal (string_content) @name.reference.module)
    (system_lib_string) @name.reference.module
  ]) @reference.module
