; Tags for Python (tree-sitter-python 0.25).
; Order matters: when two patterns tag the same identifier, the earlier wins,
; so methods and decorated forms come before plain functions and classes.

; ---- definitions ---------------------------------------------------------

; Methods: functions directly in a class body, with or without decorators
; (the decorated form spans the decorators too).
(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name.definition.method)) @definition.method))

(class_definition
  body: (block
    (function_definition
      name: (identifier) @name.definition.method) @definition.method))

(decorated_definition
  definition: (class_definition
    name: (identifier) @name.definition.class)) @definition.class

(class_definition
  name: (identifier) @name.definition.class) @definition.class

(decorated_definition
  definition: (function_definition
    name: (identifier) @name.definition.function)) @definition.function

(function_definition
  name: (identifier) @name.definition.function) @definition.function

; `type Alias = ...` (3.12) and annotated aliases `Alias: TypeAlias = ...`.
(type_alias_statement
  left: (type [
    (identifier) @name.definition.type
    (generic_type (identifier) @name.definition.type)
  ])) @definition.type

(module
  (expression_statement
    (assignment
      left: (identifier) @name.definition.type
      type: (type (identifier) @_alias)) @definition.type)
  (#eq? @_alias "TypeAlias"))

; Module-level names: UPPER_CASE ones are constants, the rest variables.
(module
  (expression_statement
    (assignment
      left: (identifier) @name.definition.constant) @definition.constant)
  (#match? @name.definition.constant "^_*[A-Z][A-Z0-9_]*$"))

(module
  (expression_statement
    (assignment
      left: (identifier) @name.definition.variable) @definition.variable))

; ---- references ----------------------------------------------------------

; Base classes.
(class_definition
  superclasses: (argument_list [
    (identifier) @name.reference.class
    (attribute attribute: (identifier) @name.reference.class)
    (subscript value: (identifier) @name.reference.class)
  ]) @reference.class)

(call
  function: [
    (identifier) @name.reference.call
    (attribute attribute: (identifier) @name.reference.call)
  ]) @reference.call

; Decorators without a call: `@property`, `@functools.cache`.
(decorator [
  (identifier) @name.reference.call
  (attribute attribute: (identifier) @name.reference.call)
]) @reference.call

; Names used in annotations (including inside generics such as list[Item]).
(type [
  (identifier) @name.reference.type
  (attribute attribute: (identifier) @name.reference.type)
  (generic_type (identifier) @name.reference.type)
]) @reference.type

(type_parameter
  (type (identifier) @name.reference.type) @reference.type)

; Imported names; the module path itself is a `module` reference.
(import_from_statement
  module_name: (dotted_name) @name.reference.module @reference.module)

(import_from_statement
  module_name: (relative_import (dotted_name) @name.reference.module @reference.module))

(import_from_statement
  name: [
    (dotted_name (identifier) @name.reference.import)
    (aliased_import name: (dotted_name (identifier) @name.reference.import))
  ]) @reference.import

(import_statement
  name: [
    (dotted_name) @name.reference.module
    (aliased_import name: (dotted_name) @name.reference.module)
  ]) @reference.module
