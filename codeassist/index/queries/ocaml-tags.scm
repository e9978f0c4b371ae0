; Tags for OCaml implementations (.ml), after ocaml_common-tags.scm.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(method_definition (method_name) @name.definition.method) @definition.method

; let f x = ..., let f = fun x -> ..., let f = function ...
(value_definition
  [
    (let_binding pattern: (value_name) @name.definition.function (parameter))
    (let_binding pattern: (value_name) @name.definition.function body: [(fun_expression) (function_expression)])
  ] @definition.function)

; Other top-level and module-level lets are values.
(compilation_unit
  (value_definition (let_binding pattern: (value_name) @name.definition.constant) @definition.constant))

(structure
  (value_definition (let_binding pattern: (value_name) @name.definition.constant) @definition.constant))

; ---- references ----------------------------------------------------------

(application_expression function: (value_path (value_name) @name.reference.call)) @reference.call

(infix_expression
  operator: (rel_operator) @_pipe
  right: (value_path (value_name) @name.reference.call)
  (#eq? @_pipe "|>")) @reference.call

(infix_expression
  left: (value_path (value_name) @name.reference.call)
  operator: (concat_operator) @_apply
  (#eq? @_apply "@@")) @reference.call

(method_invocation (method_name) @name.reference.call) @reference.call
