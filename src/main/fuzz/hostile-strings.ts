// Strings that have broken generated files and parsers elsewhere: quotes that end literals, line
// breaks of every kind, bidirectional overrides, controls, lone surrogates, markup, property names.
/** Strings an attacker would name a project, a layer or a class. */
export const HOSTILE_STRINGS = [
  'x"""\nopen("PWNED","w").write("x")\n"""',
  "x'''\nopen('PWNED','w').write('x')\n'''",
  '\\"; import os; os.system("touch PWNED") #',
  'a\\',
  '"',
  '\r\nimport os\r\n',
  'line\u2028break\u2029',
  'bidi \u202e)"PWNED"(nepo\u202c \u2066x\u2069',
  'nul\u0000byte\u0007\u001b[31m',
  'lone \ud800 surrogate \udc00',
  '</text><script>alert(1)</script><text>',
  ']]><!-- -->&amp;&lt;',
  "' onload='alert(1)",
  '{}${x}%s{0}',
  'emoji 🧠 ünïcödé',
  '__proto__',
  'forward',
  'layers',
]
