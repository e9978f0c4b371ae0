; Tags shared by OCaml implementations (.ml) and interfaces (.mli)
; (tree-sitter-ocaml 0.26): patterns valid in both grammars. The files
; ocaml-tags.scm and ocaml_interface-tags.scm follow this one.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

(module_definition (module_binding (module_name) @name.definition.module) @definition.module)

(module_type_definition (module_type_name) @name.definition.interface) @definition.interface

(class_definition (class_binding (class_name) @name.definition.class) @definition.class)

(class_type_definition (class_type_binding (class_type_name) @name.definition.class) @definition.class)

(type_definition
  (type_binding
    name: [
      (type_constructor) @name.definition.type
      (type_constructor_path (type_constructor) @name.definition.type)
    ]) @definition.type)

(exception_definition (constructor_declaration (constructor_name) @name.definition.type)) @definition.type

(constructor_declaration (constructor_name) @name.definition.constant) @definition.constant

(external (value_name) @name.definition.function) @definition.function

; val f : a -> b is a function; val x : t a value.
(value_specification (value_name) @name.definition.function type: (function_type)) @definition.function

(value_specification (value_name) @name.definition.constant) @definition.constant

; ---- references ----------------------------------------------------------

; Type names, leaving out the predefined ones.
((type_constructor_path (type_constructor) @name.reference.type) @reference.type
  (#not-any-of? @name.reference.type
    "array" "bool" "bytes" "char" "exn" "float" "int" "int32" "int64" "lazy_t" "list"
    "nativeint" "option" "ref" "result" "string" "unit"))

(module_type_path (module_type_name) @name.reference.implementation) @reference.implementation

[
  (module_path (module_name) @name.reference.module)
  (extended_module_path (module_name) @name.reference.module)
] @reference.module

[
  (class_path (class_name) @name.reference.class)
  (class_type_path (class_type_name) @name.reference.class)
] @reference.class
