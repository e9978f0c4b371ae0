; Tags for TypeScript (tree-sitter-typescript 0.23, typescript and tsx).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

((method_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method
  (#not-eq? @name.definition.method "constructor"))

[
  (method_signature name: (property_identifier) @name.definition.method)
  (abstract_method_signature name: (property_identifier) @name.definition.method)
] @definition.method

(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method
  value: [(arrow_function) (function_expression)]) @definition.method

[
  (class_declaration name: (type_identifier) @name.definition.class)
  (abstract_class_declaration name: (type_identifier) @name.definition.class)
  (class name: (type_identifier) @name.definition.class)
] @definition.class

(interface_declaration name: (type_identifier) @name.definition.interface) @definition.interface

(type_alias_declaration name: (type_identifier) @name.definition.type) @definition.type

(enum_declaration name: (identifier) @name.definition.enum) @definition.enum

; namespace N {...}, module N {...}, declare module "pkg" {...}
[
  (internal_module name: [(identifier) (nested_identifier)] @name.definition.module)
  (module name: [(identifier) (nested_identifier)] @name.definition.module)
] @definition.module

[
  (function_declaration name: (identifier) @name.definition.function)
  (generator_function_declaration name: (identifier) @name.definition.function)
  (function_signature name: (identifier) @name.definition.function)
  (function_expression name: (identifier) @name.definition.function)
  (generator_function name: (identifier) @name.definition.function)
] @definition.function

(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(assignment_expression
  left: [
    (identifier) @name.definition.function
    (member_expression property: (property_identifier) @name.definition.function)
  ]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(pair
  key: (property_identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(program
  (lexical_declaration
    "const"
    (variable_declarator name: (identifier) @name.definition.constant) @definition.constant))

(program
  (export_statement
    declaration: (lexical_declaration
      "const"
      (variable_declarator name: (identifier) @name.definition.constant) @definition.constant)))

(program
  [
    (lexical_declaration (variable_declarator name: (identifier) @name.definition.variable) @definition.variable)
    (variable_declaration (variable_declarator name: (identifier) @name.definition.variable) @definition.variable)
    (export_statement
      declaration: [
        (lexical_declaration (variable_declarator name: (identifier) @name.definition.variable) @definition.variable)
        (variable_declaration (variable_declarator name: (identifier) @name.definition.variable) @definition.variable)
      ])
  ])

; ---- references ----------------------------------------------------------

((call_expression
  function: (identifier) @_require
  arguments: (arguments . (string (string_fragment) @name.reference.module))) @reference.module
  (#eq? @_require "require"))

((call_expression
  function: (identifier) @name.reference.call) @reference.call
  (#not-eq? @name.reference.call "require"))

(call_expression
  function: (member_expression
    property: [(property_identifier) (private_property_identifier)] @name.reference.call)) @reference.call

(new_expression
  constructor: [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
  ]) @reference.class

(extends_clause
  value: [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
  ]) @reference.class

(implements_clause
  [
    (type_identifier) @name.reference.implementation
    (generic_type name: (type_identifier) @name.reference.implementation)
  ]) @reference.implementation

(extends_type_clause
  type: [
    (type_identifier) @name.reference.implementation
    (generic_type name: (type_identifier) @name.reference.implementation)
  ]) @reference.implementation

; Every other use of a named type; one-letter names are type parameters.
((type_identifier) @name.reference.type @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

(import_statement
  source: (string (string_fragment) @name.reference.module)) @reference.module

(export_statement
  source: (string (string_fragment) @name.reference.module)) @reference.module

(import_specifier name: (identifier) @name.reference.import) @reference.import

(export_specifier name: (identifier) @name.reference.import) @reference.import

(import_clause (identifier) @name.reference.import) @reference.import
