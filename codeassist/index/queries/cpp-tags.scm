; Tags for C++ (tree-sitter-cpp 0.23).
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

; Methods defined or declared in a class body (constructors, destructors and
; operators are left out: they are not names a caller types).
(field_declaration_list
  (function_definition
    declarator: [
      (function_declarator declarator: (field_identifier) @name.definition.method)
      (pointer_declarator declarator: (function_declarator declarator: (field_identifier) @name.definition.method))
      (reference_declarator (function_declarator declarator: (field_identifier) @name.definition.method))
    ]) @definition.method)

; Member templates: inside a template the grammar reads the name as a plain identifier.
(field_declaration_list
  (template_declaration
    (function_definition
      declarator: (function_declarator
        declarator: [(field_identifier) (identifier)] @name.definition.method)) @definition.method))

(field_declaration
  declarator: [
    (function_declarator declarator: (field_identifier) @name.definition.method)
    (pointer_declarator declarator: (function_declarator declarator: (field_identifier) @name.definition.method))
    (reference_declarator (function_declarator declarator: (field_identifier) @name.definition.method))
  ]) @definition.method

; Constructors declared or defined in a class body: named after the class.
(field_declaration_list
  [
    (function_definition declarator: (function_declarator declarator: (identifier) @name.definition.constructor))
    (declaration declarator: (function_declarator declarator: (identifier) @name.definition.constructor))
  ] @definition.constructor)

; Out-of-line method definitions: Type::name(...) { ... }
(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier name: (identifier) @name.definition.method))
    (pointer_declarator declarator: (function_declarator
      declarator: (qualified_identifier name: (identifier) @name.definition.method)))
    (reference_declarator (function_declarator
      declarator: (qualified_identifier name: (identifier) @name.definition.method)))
  ]) @definition.method

(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name.definition.function)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))
    (reference_declarator (function_declarator declarator: (identifier) @name.definition.function))
  ]) @definition.function

(declaration
  declarator: [
    (function_declarator declarator: (identifier) @name.definition.function)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))
    (reference_declarator (function_declarator declarator: (identifier) @name.definition.function))
  ]) @definition.function

(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class

[
  (struct_specifier name: (type_identifier) @name.definition.struct body: (_))
  (union_specifier name: (type_identifier) @name.definition.struct body: (_))
] @definition.struct

(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum

[
  (type_definition declarator: (type_identifier) @name.definition.type)
  (alias_declaration name: (type_identifier) @name.definition.type)
] @definition.type

(namespace_definition name: [(namespace_identifier) (nested_namespace_specifier)] @name.definition.module) @definition.module

(preproc_def name: (identifier) @name.definition.constant) @definition.constant

(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro

(enumerator name: (identifier) @name.definition.constant) @definition.constant

; const / constexpr objects at file or namespace scope.
(translation_unit
  (declaration
    (type_qualifier)
    declarator: (init_declarator declarator: (identifier) @name.definition.constant)) @definition.constant)

(declaration_list
  (declaration
    (type_qualifier)
    declarator: (init_declarator declarator: (identifier) @name.definition.constant)) @definition.constant)

; ---- references ----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (qualified_identifier name: (identifier) @name.reference.call)
    (template_function name: (identifier) @name.reference.call)
    (qualified_identifier name: (template_function name: (identifier) @name.reference.call))
    (field_expression field: (template_method name: (field_identifier) @name.reference.call))
  ]) @reference.call

(base_class_clause
  [
    (type_identifier) @name.reference.class
    (qualified_identifier name: (type_identifier) @name.reference.class)
    (template_type name: (type_identifier) @name.reference.class)
  ]) @reference.class

((type_identifier) @name.reference.type @reference.type
  (#not-match? @name.reference.type "^[A-Z]$"))

(preproc_include
  path: [
    (string_literal (string_content) @name.reference.module)
    (system_lib_string) @name.reference.module
  ]) @reference.module
