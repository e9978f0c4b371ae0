"""Model replies shared by the end-to-end tests of `edit` and of the chat (app.py greets; util.py doubles)."""

GOOD_SR = """Here is the change.

app.py
```python
<<<<<<< SEARCH
def greet():
    return "hello"
=======
def greet():
    return "hello, world"
>>>>>>> REPLACE
```
"""

BAD_SR = GOOD_SR.replace('    return "hello"\n=', '    return "goodbye"\n=').replace("Here is the change.\n\n", "")

BROKEN_SR = GOOD_SR.replace("=======\ndef greet():", "=======\ndef greet(:").replace("Here is the change.\n\n", "")

TRIPLE_SR = """util.py
```python
<<<<<<< SEARCH
    return x * 2
=======
    return x * 3
>>>>>>> REPLACE
```
"""
