; Tags for Dart (tree-sitter-dart 0.1). In this grammar a function's body is
; the sibling after its signature, so both are captured as the definition.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(class_definition name: (identifier) @name.definition.class) @definition.class

(mixin_declaration (mixin) . (identifier) @name.definition.class) @definition.class

(extension_declaration name: (identifier) @name.definition.class) @definition.class

(enum_declaration name: (identifier) @name.definition.enum) @definition.enum

(enum_constant name: (identifier) @name.definition.constant) @definition.constant

(type_alias . (type_identifier) @name.definition.type) @definition.type

; Methods with a body, getters and setters included, in classes and extensions.
(class_body
  (method_signature
    [
      (function_signature name: (identifier) @name.definition.method)
      (getter_signature name: (identifier) @name.definition.method)
      (setter_signature name: (identifier) @name.definition.method)
    ]) @definition.method
  .
  (function_body) @definition.method)

(extension_body
  (method_signature
    [
      (function_signature name: (identifier) @name.definition.method)
      (getter_signature name: (identifier) @name.definition.method)
      (setter_signature name: (identifier) @name.definition.method)
    ]) @definition.method
  .
  (function_body) @definition.method)

; Abstract methods: a signature alone.
(class_body
  (declaration
    [
      (function_signature name: (identifier) @name.definition.method)
      (getter_signature name: (identifier) @name.definition.method)
      (setter_signature name: (identifier) @name.definition.method)
    ]) @definition.method)

; Named constructors: User.fromJson(...)
(class_body
  (method_signature
    (factory_constructor_signature (identifier) . (identifier) @name.definition.constructor)) @definition.constructor
  .
  (function_body) @definition.constructor)

(program
  (function_signature name: (identifier) @name.definition.function) @definition.function
  .
  (function_body) @definition.function)

(static_final_declaration . (identifier) @name.definition.constant) @definition.constant

; ---- references ----------------------------------------------------------

; f(...) and obj.m(...): a name followed by an argument list.
(_
  (identifier) @name.reference.call
  .
  (selector (argument_part)) @reference.call)

(_
  (selector (unconditional_assignable_selector (identifier) @name.reference.call))
  .
  (selector (argument_part)) @reference.call)

(new_expression (type_identifier) @name.reference.class) @reference.class

(superclass (type_identifier) @name.reference.class) @reference.class

[
  (mixins (type_identifier) @name.reference.implementation)
  (interfaces (type_identifier) @name.reference.implementation)
] @reference.implementation

; Named types are UpperCamelCase; this leaves out int, dynamic, one-letter
; type parameters and library prefixes (the `http` of http.Client).
((type_identifier) @name.reference.type @reference.type
  (#match? @name.reference.type "^[A-Z][A-Za-z0-9_]+$"))

(import_specification
  (configurable_uri (uri (string_literal) @name.reference.module))) @reference.module
