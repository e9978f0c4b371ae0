; Tags for C# (tree-sitter-c-sharp 0.23).
; Order matters: when two patterns tag the same identifier, the earlier wins.
; The grammar has no separate node for type names: types are (identifier)
; nodes in type positions, listed one by one below.

; ---- definitions ---------------------------------------------------------

[
  (class_declaration name: (identifier) @name.definition.class)
  (record_declaration name: (identifier) @name.definition.class)
] @definition.class

(interface_declaration name: (identifier) @name.definition.interface) @definition.interface

(struct_declaration name: (identifier) @name.definition.struct) @definition.struct

(enum_declaration name: (identifier) @name.definition.enum) @definition.enum

(delegate_declaration name: (identifier) @name.definition.type) @definition.type

[
  (method_declaration name: (identifier) @name.definition.method)
  (local_function_statement name: (identifier) @name.definition.method)
] @definition.method

(constructor_declaration name: (identifier) @name.definition.constructor) @definition.constructor

(property_declaration name: (identifier) @name.definition.property) @definition.property

((field_declaration
  (modifier) @_const
  (variable_declaration (variable_declarator name: (identifier) @name.definition.constant))) @definition.constant
  (#eq? @_const "const"))

(enum_member_declaration name: (identifier) @name.definition.constant) @definition.constant

[
  (namespace_declaration name: [(identifier) (qualified_name)] @name.definition.module)
  (file_scoped_namespace_declaration name: [(identifier) (qualified_name)] @name.definition.module)
] @definition.module

; ---- references ----------------------------------------------------------

(invocation_expression
  function: [
    (identifier) @name.reference.call
    (member_access_expression name: (identifier) @name.reference.call)
    (generic_name (identifier) @name.reference.call)
    (member_access_expression name: (generic_name (identifier) @name.reference.call))
  ]) @reference.call

(object_creation_expression
  type: [
    (identifier) @name.reference.class
    (generic_name (identifier) @name.reference.class)
    (qualified_name name: (identifier) @name.reference.class)
  ]) @reference.class

(base_list
  [
    (identifier) @name.reference.class
    (generic_name (identifier) @name.reference.class)
    (qualified_name name: (identifier) @name.reference.class)
  ]) @reference.class

; Type positions; one-letter names are type parameters.
(([
  (parameter type: (identifier) @name.reference.type)
  (variable_declaration type: (identifier) @name.reference.type)
  (method_declaration returns: (identifier) @name.reference.type)
  (property_declaration type: (identifier) @name.reference.type)
  (delegate_declaration type: (identifier) @name.reference.type)
  (type_argument_list (identifier) @name.reference.type)
  (array_type type: (identifier) @name.reference.type)
  (nullable_type type: (identifier) @name.reference.type)
  (cast_expression type: (identifier) @name.reference.type)
  (type_parameter_constraint (type type: (identifier) @name.reference.type))
  (attribute name: (identifier) @name.reference.type)
]) @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

([
  (parameter type: (generic_name (identifier) @name.reference.type))
  (variable_declaration type: (generic_name (identifier) @name.reference.type))
  (method_declaration returns: (generic_name (identifier) @name.reference.type))
  (property_declaration type: (generic_name (identifier) @name.reference.type))
]) @reference.type

(using_directive
  [
    (identifier) @name.reference.module
    (qualified_name) @name.reference.module
  ]) @reference.module
