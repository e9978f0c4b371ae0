; Tags for PHP (tree-sitter-php 0.25, the grammar with HTML text around PHP).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(namespace_definition name: (namespace_name) @name.definition.module) @definition.module

(class_declaration name: (name) @name.definition.class) @definition.class

(interface_declaration name: (name) @name.definition.interface) @definition.interface

(trait_declaration name: (name) @name.definition.trait) @definition.trait

(enum_declaration name: (name) @name.definition.enum) @definition.enum

; Magic methods (__construct, __get...) are called by the runtime, not by name.
((method_declaration name: (name) @name.definition.method) @definition.method
  (#not-match? @name.definition.method "^__"))

(function_definition name: (name) @name.definition.function) @definition.function

[
  (const_declaration (const_element (name) @name.definition.constant))
  (enum_case name: (name) @name.definition.constant)
] @definition.constant

; ---- references ----------------------------------------------------------

(function_call_expression
  function: [
    (name) @name.reference.call
    (qualified_name (name) @name.reference.call .)
  ]) @reference.call

[
  (scoped_call_expression name: (name) @name.reference.call)
  (member_call_expression name: (name) @name.reference.call)
  (nullsafe_member_call_expression name: (name) @name.reference.call)
] @reference.call

(object_creation_expression
  [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]) @reference.class

(base_clause
  [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]) @reference.class

[
  (class_interface_clause [(name) @name.reference.implementation (qualified_name (name) @name.reference.implementation .)])
  (use_declaration [(name) @name.reference.implementation (qualified_name (name) @name.reference.implementation .)])
] @reference.implementation

(named_type
  [
    (name) @name.reference.type
    (qualified_name (name) @name.reference.type .)
  ]) @reference.type

(scoped_call_expression
  scope: [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]) @reference.class

(class_constant_access_expression
  .
  [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]) @reference.class

; use App\Contracts\Repository; (the imported class name, not its alias)
(namespace_use_clause
  .
  [
    (name) @name.reference.import
    (qualified_name (name) @name.reference.import .)
  ]) @reference.import
