; Tags for Zig (tree-sitter-zig 1.1). No tags query ships with the grammar;
; this one is ours. Zig types are values: `const Name = struct {...}`.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(variable_declaration (identifier) @name.definition.struct [(struct_declaration) (union_declaration)]) @definition.struct

(variable_declaration (identifier) @name.definition.enum (enum_declaration)) @definition.enum

(variable_declaration (identifier) @name.definition.type [(opaque_declaration) (error_set_declaration)]) @definition.type

; Functions in a container are methods (Zig's namespaced functions).
(struct_declaration (function_declaration name: (identifier) @name.definition.method) @definition.method)

(union_declaration (function_declaration name: (identifier) @name.definition.method) @definition.method)

(enum_declaration (function_declaration name: (identifier) @name.definition.method) @definition.method)

(opaque_declaration (function_declaration name: (identifier) @name.definition.method) @definition.method)

(function_declaration name: (identifier) @name.definition.function) @definition.function

; File-level and container-level constants holding values (not aliases such
; as `const mem = std.mem`, which are imports).
(source_file
  (variable_declaration
    (identifier) @name.definition.constant
    [
      (integer) (float) (string) (multiline_string) (character)
      (binary_expression) (unary_expression) (call_expression)
      (struct_initializer) (anonymous_struct_initializer)
    ]) @definition.constant)

(struct_declaration
  (variable_declaration
    (identifier) @name.definition.constant
    [
      (integer) (float) (string) (multiline_string) (character)
      (binary_expression) (unary_expression) (call_expression)
      (struct_initializer) (anonymous_struct_initializer)
    ]) @definition.constant)

; ---- references ----------------------------------------------------------

((builtin_function
  (builtin_identifier) @_import
  (arguments . (string (string_content) @name.reference.module))) @reference.module
  (#eq? @_import "@import"))

; const Allocator = std.mem.Allocator;
(source_file
  (variable_declaration (identifier) (field_expression member: (identifier) @name.reference.import)) @reference.import)

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression member: (identifier) @name.reference.call)
  ]) @reference.call

; Names in type positions.
[
  (parameter type: (identifier) @name.reference.type)
  (function_declaration type: (identifier) @name.reference.type)
  (container_field type: (identifier) @name.reference.type)
  (variable_declaration type: (identifier) @name.reference.type)
  (pointer_type (identifier) @name.reference.type)
  (slice_type (identifier) @name.reference.type)
  (nullable_type (identifier) @name.reference.type)
  (array_type (identifier) @name.reference.type .)
  (error_union_type ok: (identifier) @name.reference.type)
  (struct_initializer . (identifier) @name.reference.type)
] @reference.type
