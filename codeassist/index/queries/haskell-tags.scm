; Tags for Haskell (tree-sitter-haskell 0.24). No tags query ships with the
; grammar; this one is ours. A function with a type signature gets a tag for
; the signature (the line a reader wants) and one per defining equation.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(header module: (module) @name.definition.module) @definition.module

; Type class methods, and their implementations in instances.
(class_declarations (signature name: (variable) @name.definition.method) @definition.method)

(instance_declarations
  [
    (function name: (variable) @name.definition.method)
    (bind name: (variable) @name.definition.method)
  ] @definition.method)

(class name: (name) @name.definition.interface) @definition.interface

[
  (data_type name: (name) @name.definition.type)
  (newtype name: (name) @name.definition.type)
  (type_synonym name: (name) @name.definition.type)
  (type_family name: (name) @name.definition.type)
] @definition.type

[
  (data_constructor constructor: (prefix name: (constructor) @name.definition.constant))
  (data_constructor constructor: (record name: (constructor) @name.definition.constant))
  (data_constructor constructor: (infix operator: (constructor_operator) @name.definition.constant))
  (newtype_constructor name: (constructor) @name.definition.constant)
] @definition.constant

(declarations
  [
    (signature
      name: (variable) @name.definition.function
      type: [
        (function)
        (context type: (function))
        (forall type: [(function) (context type: (function))])
      ])
    (function name: (variable) @name.definition.function)
  ] @definition.function)

; Top-level values: a signature without arrows, or an equation without arguments.
(declarations (signature name: (variable) @name.definition.constant) @definition.constant)

; Top-level values without arguments.
(declarations (bind name: (variable) @name.definition.constant) @definition.constant)

; ---- references ----------------------------------------------------------

(instance name: (name) @name.reference.implementation) @reference.implementation

(apply
  function: [
    (variable) @name.reference.call
    (constructor) @name.reference.call
    (qualified id: [(variable) (constructor)] @name.reference.call)
  ]) @reference.call

; f $ x, x & f, and the functions composed with (.)
((infix
  left_operand: [(variable) (qualified id: (variable))] @name.reference.call
  operator: (operator) @_op) @reference.call
  (#any-of? @_op "$" "." "&" "<$>" ">>=" "=<<"))

((infix
  operator: (operator) @_op
  right_operand: [(variable) (qualified id: (variable))] @name.reference.call) @reference.call
  (#any-of? @_op "$" "." "&" "<$>" ">>=" "=<<"))

(import module: (module) @name.reference.module) @reference.module

(import_name [(variable) (name)] @name.reference.import) @reference.import

; Type names, leaving out the Prelude's most common ones.
((name) @name.reference.type @reference.type
  (#not-any-of? @name.reference.type
    "Bool" "Char" "Double" "Either" "Eq" "Float" "IO" "Int" "Integer" "Maybe" "Ord" "Show" "String"))
