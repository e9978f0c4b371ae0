; Tags for Kotlin (tree-sitter-kotlin 1.1, tree-sitter-grammars). No tags
; query ships with the grammar; this one is ours.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(class_declaration "interface" name: (identifier) @name.definition.interface) @definition.interface

(class_declaration name: (identifier) @name.definition.enum (enum_class_body)) @definition.enum

[
  (class_declaration name: (identifier) @name.definition.class)
  (object_declaration name: (identifier) @name.definition.class)
] @definition.class

; Functions in a class, object or companion body are methods.
(class_body (function_declaration name: (identifier) @name.definition.method) @definition.method)

(function_declaration name: (identifier) @name.definition.function) @definition.function

(type_alias type: (identifier) @name.definition.type) @definition.type

; const val, and UPPER_CASE vals (constants kept in objects).
((property_declaration
  (modifiers (property_modifier) @_const)
  (variable_declaration (identifier) @name.definition.constant)) @definition.constant
  (#eq? @_const "const"))

((property_declaration
  (variable_declaration (identifier) @name.definition.constant)) @definition.constant
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(enum_entry (identifier) @name.definition.constant) @definition.constant

; ---- references ----------------------------------------------------------

(call_expression
  .
  [
    (identifier) @name.reference.call
    (navigation_expression (identifier) @name.reference.call .)
  ]) @reference.call

(delegation_specifier
  (constructor_invocation (user_type (identifier) @name.reference.class))) @reference.class

(delegation_specifier
  (user_type (identifier) @name.reference.implementation)) @reference.implementation

((user_type (identifier) @name.reference.type) @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

(import (qualified_identifier (identifier) @name.reference.import .)) @reference.import
