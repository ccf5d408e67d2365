package ssm

import (
	"strings"
	"testing"
)

// FuzzNames checks the name and selector parsers on any input: no panic, a name accepted by
// checkName is no reserved one and within the limits, and a parsed selector names a name
// without its selector.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"/a/b", "x", "/aws/x", "a/b", "/a:3", "/a:prod", "arn:aws:ssm:us-east-1:1:parameter/a/b", "::", "/" + strings.Repeat("a/", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkName(s, "arn:aws:ssm:us-east-1:000000000000:parameter/"+s) == nil {
			low := strings.ToLower(strings.TrimPrefix(s, "/"))
			if strings.HasPrefix(low, "aws") || strings.HasPrefix(low, "ssm") || strings.Count(s, "/") > maxLevels || strings.ContainsAny(s, ": ") {
				t.Fatalf("checkName accepted %q", s)
			}
		}
		if sel, err := parseSelector(s); err == nil && strings.Contains(sel.name, ":") && !strings.HasPrefix(s, "arn:") {
			t.Fatalf("parseSelector(%q) left a colon in the name %q", s, sel.name)
		}
		validLabel(s)
	})
}
