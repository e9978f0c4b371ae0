; Tags for Elixir (tree-sitter-elixir 0.3). Definitions are ordinary calls
; in this grammar (def, defmodule...), told apart by the called name.
; Order matters: when two patterns tag the same identifier, the earlier wins.

; ---- definitions ---------------------------------------------------------

((call
  target: (identifier) @_keyword
  (arguments . (alias) @name.definition.module)) @definition.module
  (#any-of? @_keyword "defmodule" "defprotocol"))

; def name(args), def name, def name(args) when guard; likewise for macros.
((call
  target: (identifier) @_keyword
  (arguments
    .
    [
      (identifier) @name.definition.function
      (call target: (identifier) @name.definition.function)
      (binary_operator
        left: (call target: (identifier) @name.definition.function)
        operator: "when")
    ])) @definition.function
  (#any-of? @_keyword "def" "defp" "defdelegate" "defguard" "defguardp" "defn" "defnp"))

((call
  target: (identifier) @_keyword
  (arguments
    .
    [
      (identifier) @name.definition.macro
      (call target: (identifier) @name.definition.macro)
      (binary_operator
        left: (call target: (identifier) @name.definition.macro)
        operator: "when")
    ])) @definition.macro
  (#any-of? @_keyword "defmacro" "defmacrop"))

; @type name :: ..., @type name(arg) :: ...
((unary_operator
  operator: "@"
  operand: (call
    target: (identifier) @_keyword
    (arguments
      (binary_operator
        left: [
          (identifier) @name.definition.type
          (call target: (identifier) @name.definition.type)
        ])))) @definition.type
  (#any-of? @_keyword "type" "typep" "opaque"))

; Module attributes given a value: @max_items 50 (not the documented ones).
((unary_operator
  operator: "@"
  operand: (call target: (identifier) @name.definition.constant (arguments))) @definition.constant
  (#not-any-of? @name.definition.constant
    "after_compile" "after_verify" "before_compile" "behaviour" "callback" "compile" "deprecated" "derive"
    "dialyzer" "doc" "enforce_keys" "fallback_to_any" "file" "nifs" "on_definition"
    "external_resource" "impl" "macrocallback" "moduledoc" "on_load" "opaque" "optional_callbacks"
    "spec" "type" "typedoc" "typep" "vsn"))

; ---- references ----------------------------------------------------------

((call
  target: (identifier) @_keyword
  (arguments . [(alias) (dot)] @name.reference.implementation)) @reference.implementation
  (#eq? @_keyword "defimpl"))

((unary_operator operator: "@" operand: (identifier) @name.reference.constant) @reference.constant)

; Remote calls; a dot without arguments (map.key) reads a field instead.
(call
  target: (dot right: (identifier) @name.reference.call)
  (arguments)) @reference.call

; Local calls, leaving out special forms and definition keywords.
((call target: (identifier) @name.reference.call) @reference.call
  (#not-any-of? @name.reference.call
    "alias" "behaviour" "callback" "case" "cond" "def" "defdelegate" "defexception" "defguard"
    "defguardp" "defimpl" "defmacro" "defmacrop" "defmodule" "defn" "defnp" "defoverridable" "defp"
    "defprotocol" "defstruct" "doc" "else" "fn" "for" "if" "impl" "import" "moduledoc" "opaque"
    "quote" "raise" "receive" "require" "reraise" "spec" "super" "throw" "try" "type" "typedoc"
    "typep" "unless" "unquote" "unquote_splicing" "use" "with"))

; Piping into a bare function name: value |> transform
(binary_operator operator: "|>" right: (identifier) @name.reference.call) @reference.call

(alias) @name.reference.module @reference.module
