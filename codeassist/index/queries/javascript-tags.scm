; Tags for JavaScript and JSX (tree-sitter-javascript 0.25).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; Methods, getters, setters, static methods; constructors are not symbols a
; caller names, so they are left out.
((method_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method
  (#not-eq? @name.definition.method "constructor"))

; Class fields holding functions behave as methods.
(field_definition
  property: [(property_identifier) (private_property_identifier)] @name.definition.method
  value: [(arrow_function) (function_expression)]) @definition.method

[
  (class_declaration name: (identifier) @name.definition.class)
  (class name: (identifier) @name.definition.class)
] @definition.class

[
  (function_declaration name: (identifier) @name.definition.function)
  (generator_function_declaration name: (identifier) @name.definition.function)
  (function_expression name: (identifier) @name.definition.function)
  (generator_function name: (identifier) @name.definition.function)
] @definition.function

; const f = () => ..., var g = function () {...}
(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; obj.f = function () {...}, exports.f = () => ...
(assignment_expression
  left: [
    (identifier) @name.definition.function
    (member_expression property: (property_identifier) @name.definition.function)
  ]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; { f: function () {...}, g: () => ... }
(pair
  key: (property_identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; Top-level const bindings are constants, top-level let/var bindings variables.
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

; require("x") names a module, not a function of this code base.
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

(class_heritage
  [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
  ]) @reference.class

(import_statement
  source: (string (string_fragment) @name.reference.module)) @reference.module

(export_statement
  source: (string (string_fragment) @name.reference.module)) @reference.module

(import_specifier name: (identifier) @name.reference.import) @reference.import

(export_specifier name: (identifier) @name.reference.import) @reference.import

(import_clause (identifier) @name.reference.import) @reference.import
