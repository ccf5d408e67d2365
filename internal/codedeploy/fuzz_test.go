package codedeploy

import "testing"

// FuzzParseAppSpec feeds the AppSpec reader arbitrary content: it must never panic, and what it
// accepts names a function, an alias and both versions.
func FuzzParseAppSpec(f *testing.F) {
	f.Add("version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties: {Name: f, Alias: live, CurrentVersion: '1', TargetVersion: '2'}\nHooks:\n  - BeforeAllowTraffic: pre\n")
	f.Add(`{"version":0.0,"Resources":[{"fn":{"Type":"AWS::Lambda::Function","Properties":{"Name":"f","Alias":"a","CurrentVersion":"1","TargetVersion":"2"}}}]}`)
	f.Add("version: 0.0\nResources: [&a {x: *a}]")
	f.Fuzz(func(t *testing.T, content string) {
		spec, err := parseAppSpec(content)
		if err == nil && (spec.Function == "" || spec.Alias == "" || spec.Current == "" || spec.Target == "") {
			t.Fatalf("parseAppSpec(%q) = %+v; want every field", content, spec)
		}
	})
}
