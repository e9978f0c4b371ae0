; Tags for Bash and POSIX shell (tree-sitter-bash 0.25). No tags query ships
; with the grammar; this one is ours.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(function_definition name: (word) @name.definition.function) @definition.function

; Script-level settings: UPPER_CASE ones are constants, the rest variables.
((program
  [
    (variable_assignment name: (variable_name) @name.definition.constant)
    (declaration_command (variable_assignment name: (variable_name) @name.definition.constant))
  ] @definition.constant)
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(program
  [
    (variable_assignment name: (variable_name) @name.definition.variable)
    (declaration_command (variable_assignment name: (variable_name) @name.definition.variable))
  ] @definition.variable)

; ---- references ----------------------------------------------------------

; source lib.sh / . "lib.sh"
((command
  name: (command_name (word) @_source)
  .
  argument: [
    (word) @name.reference.module
    (string . (string_content) @name.reference.module .)
    (raw_string) @name.reference.module
  ]) @reference.module
  (#any-of? @_source "source" "."))

; Commands run, other than the shell's own builtins.
((command name: (command_name (word) @name.reference.call)) @reference.call
  (#not-any-of? @name.reference.call
    "." ":" "[" "alias" "break" "builtin" "cd" "command" "continue" "declare" "echo" "eval" "exec"
    "exit" "export" "false" "local" "printf" "read" "readonly" "return" "set" "shift" "source"
    "test" "trap" "true" "type" "unset" "wait"))

; Uses of UPPER_CASE (global) variables.
(((simple_expansion (variable_name) @name.reference.variable) @reference.variable)
  (#match? @name.reference.variable "^[A-Z][A-Z0-9_]*$"))

(((expansion (variable_name) @name.reference.variable) @reference.variable)
  (#match? @name.reference.variable "^[A-Z][A-Z0-9_]*$"))
