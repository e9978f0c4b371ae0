; Tags for Swift (tree-sitter-swift 0.7). The grammar's own tags query covers
; classes, protocols, functions and properties; this one also tells structs,
; enums and extensions apart and adds references.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(class_declaration "struct" name: (type_identifier) @name.definition.struct) @definition.struct

(class_declaration "enum" name: (type_identifier) @name.definition.enum) @definition.enum

(class_declaration name: (type_identifier) @name.definition.class) @definition.class

(protocol_declaration name: (type_identifier) @name.definition.interface) @definition.interface

(typealias_declaration name: (type_identifier) @name.definition.type) @definition.type

; Functions in a type or extension body are methods; protocol requirements too.
(class_body (function_declaration name: (simple_identifier) @name.definition.method) @definition.method)

(enum_class_body (function_declaration name: (simple_identifier) @name.definition.method) @definition.method)

(protocol_function_declaration name: (simple_identifier) @name.definition.method) @definition.method

(function_declaration name: (simple_identifier) @name.definition.function) @definition.function

(enum_entry name: (simple_identifier) @name.definition.constant) @definition.constant

; File-level let bindings are constants, var bindings variables.
(source_file
  (property_declaration
    (value_binding_pattern "let")
    name: (pattern bound_identifier: (simple_identifier) @name.definition.constant)) @definition.constant)

(source_file
  (property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name.definition.variable)) @definition.variable)

; ---- references ----------------------------------------------------------

(call_expression
  .
  [
    (simple_identifier) @name.reference.call
    (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name.reference.call))
  ]) @reference.call

; extension Item { ... } extends a type declared elsewhere.
(class_declaration "extension" name: (user_type (type_identifier) @name.reference.class)) @reference.class

(inheritance_specifier
  inherits_from: (user_type (type_identifier) @name.reference.implementation)) @reference.implementation

((user_type (type_identifier) @name.reference.type) @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

(import_declaration (identifier) @name.reference.module) @reference.module
