"""Student text that tries to be markup, a template, TeX or Python: every format must show it as text."""

HOSTILE_LINES = [
    r"\sigma'(x) = \sigma(x)(1-\sigma(x))",
    "<script>alert(1)</script>",
    r"$$ \input{/etc/passwd} $$",
    "{{7*7}} << x >> <% if true %>",
    r"\sigma'(x) = \sigma(x)(1+\sigma(x)) % <script>alert(2)</script> \input{/etc/passwd} {{7*7}} << x >>",
    "</code></td></tr></table><img src=x onerror=alert(3)>",
    r"\end{longtable}\input{/etc/passwd}\begin{longtable}{l}",
    "`<b>bold</b>` | cell | **x** [link](javascript:alert(4)) \\",
]
