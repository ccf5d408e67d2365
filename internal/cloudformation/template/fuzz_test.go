package template

import "testing"

// FuzzParse: any body is a template or a template format error, never a panic or a hang.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{sample, `{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`, "a: !GetAtt x", "a: &x [*x]",
		"a: !Sub [x, {a: !Ref b}]", "{\"a\": [1, 2.5e3, true, null]}", "- a\n- b", "a: !Cidr [1, 2, 3]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		tpl, err := Parse(body)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T %v; want *Error", body, err, err)
			}
			return
		}
		_ = JSON(tpl)
		_ = Refs(tpl)
	})
}

// FuzzEval evaluates arbitrary templates' values: an error or a value, never a panic.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{"X: !Join [',', [a, !Ref Env]]", "X: !Select [9, [a]]", "X: !If [IsProd, 1, 2]", "X: !Cidr ['10.0.0.0/8', 256, 1]",
		"X: !FindInMap [Sizes, dev, Memory]", "X: !Sub '${Q.Arn}${!x}${'", "X: {Fn::And: [{Condition: NotProd}, true]}", "X: !Split ['', a]",
		"X: !Cidr ['::/0', 256, 128]", "X: !Cidr ['10.0.0.0/8', 2, 40]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := Parse(body)
		if err != nil {
			return
		}
		e := evaluator(t, "dev")
		if c, ok := v["Conditions"].(map[string]any); ok {
			for k, d := range c {
				e.Conditions[k] = d
			}
		}
		_, _ = e.Eval(v["X"])
		for name := range e.Conditions {
			_, _ = e.Condition(name)
		}
	})
}
