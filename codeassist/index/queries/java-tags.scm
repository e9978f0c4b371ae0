; Tags for Java (tree-sitter-java 0.23).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

[
  (class_declaration name: (identifier) @name.definition.class)
  (record_declaration name: (identifier) @name.definition.class)
] @definition.class

[
  (interface_declaration name: (identifier) @name.definition.interface)
  (annotation_type_declaration name: (identifier) @name.definition.interface)
] @definition.interface

(enum_declaration name: (identifier) @name.definition.enum) @definition.enum

[
  (method_declaration name: (identifier) @name.definition.method)
  (annotation_type_element_declaration name: (identifier) @name.definition.method)
] @definition.method

(constructor_declaration name: (identifier) @name.definition.constructor) @definition.constructor

; static final fields (either order of the two modifiers) and enum constants.
(field_declaration
  (modifiers "static" "final")
  declarator: (variable_declarator name: (identifier) @name.definition.constant)) @definition.constant

(field_declaration
  (modifiers "final" "static")
  declarator: (variable_declarator name: (identifier) @name.definition.constant)) @definition.constant

(enum_constant name: (identifier) @name.definition.constant) @definition.constant

; ---- references ----------------------------------------------------------

(method_invocation name: (identifier) @name.reference.call) @reference.call

(object_creation_expression
  type: [
    (type_identifier) @name.reference.class
    (generic_type (type_identifier) @name.reference.class)
    (scoped_type_identifier (type_identifier) @name.reference.class .)
  ]) @reference.class

(superclass
  [
    (type_identifier) @name.reference.class
    (generic_type (type_identifier) @name.reference.class)
  ]) @reference.class

(super_interfaces
  (type_list [
    (type_identifier) @name.reference.implementation
    (generic_type (type_identifier) @name.reference.implementation)
  ])) @reference.implementation

(extends_interfaces
  (type_list [
    (type_identifier) @name.reference.implementation
    (generic_type (type_identifier) @name.reference.implementation)
  ])) @reference.implementation

[
  (marker_annotation name: (identifier) @name.reference.type)
  (annotation name: (identifier) @name.reference.type)
] @reference.type

((type_identifier) @name.reference.type @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

(import_declaration
  (scoped_identifier name: (identifier) @name.reference.import)) @reference.import
