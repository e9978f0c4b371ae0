; Component uses in JSX (shared by JavaScript and TSX). Lower-case element
; names are HTML tags, not symbols of the code base.

((jsx_opening_element
  name: [
    (identifier) @name.reference.call
    (member_expression property: (property_identifier) @name.reference.call)
  ]) @reference.call
  (#match? @name.reference.call "^[A-Z]"))

((jsx_self_closing_element
  name: [
    (identifier) @name.reference.call
    (member_expression property: (property_identifier) @name.reference.call)
  ]) @reference.call
  (#match? @name.reference.call "^[A-Z]"))
