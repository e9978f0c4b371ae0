; Tags for Lua (tree-sitter-lua 0.5).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; function Class:method() ... end
(function_declaration
  name: (method_index_expression method: (identifier) @name.definition.method)) @definition.method

; function name() / function module.name() / local function name()
(function_declaration
  name: [
    (identifier) @name.definition.function
    (dot_index_expression field: (identifier) @name.definition.function)
  ]) @definition.function

; name = function () ... end (local or not), and { name = function () ... end }
(assignment_statement
  (variable_list
    .
    name: [
      (identifier) @name.definition.function
      (dot_index_expression field: (identifier) @name.definition.function)
    ])
  (expression_list . value: (function_definition))) @definition.function

(table_constructor
  (field
    name: (identifier) @name.definition.function
    value: (function_definition)) @definition.function)

; File-level locals: UPPER_CASE ones are constants; tables are variables
; worth a map entry (modules and classes are built that way).
((chunk
  (variable_declaration
    (assignment_statement
      (variable_list . name: (identifier) @name.definition.constant))) @definition.constant)
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(chunk
  (variable_declaration
    (assignment_statement
      (variable_list . name: (identifier) @name.definition.variable)
      (expression_list . value: (table_constructor)))) @definition.variable)

; ---- references ----------------------------------------------------------

((function_call
  name: (identifier) @_require
  arguments: [
    (arguments . (string content: (string_content) @name.reference.module))
    (string content: (string_content) @name.reference.module)
  ]) @reference.module
  (#eq? @_require "require"))

((function_call
  name: [
    (identifier) @name.reference.call
    (dot_index_expression field: (identifier) @name.reference.call)
    (method_index_expression method: (identifier) @name.reference.call)
  ]) @reference.call
  (#not-eq? @name.reference.call "require"))
