; Tags for OCaml interfaces (.mli), after ocaml_common-tags.scm.

(method_specification (method_name) @name.definition.method) @definition.method
