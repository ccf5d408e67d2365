package filter

import (
	"errors"
	"testing"
)

// FuzzCompile holds the parser to its contract: any pattern either compiles or is refused with
// an *Error, a compiled pattern matches any message without panicking, and the empty pattern
// matches everything.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{``, `ERROR`, `?a ?b -c`, `"x y"`, `%a+%`, `{ $.a = "x" }`, `{ ($.a > 1 && $.b[0].c IS NULL) || $.d NOT EXISTS }`,
		`{ $.a[*] = 1e3 }`, `[ip, ..., status = 4* || status = 5*, bytes > 10]`, `[a, b = "x y", ...]`} {
		f.Add(s, `{"a":"x","b":[{"c":null}],"d":1} 200 "x y" [a b]`)
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := Compile(pattern)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("Compile(%q) = %v; want an *Error with a reason", pattern, err)
			}
			return
		}
		matched := p.Match(message)
		p.Match("")
		if x, ok := p.(Extractor); ok {
			if _, extracted := x.Extract(message); extracted != matched {
				t.Fatalf("Compile(%q): Match(%q) = %v but Extract matched %v", pattern, message, matched, extracted)
			}
		}
	})
}
