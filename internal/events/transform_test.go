package events

import "testing"

// The cases of AWS's documented and AWS-validated input transformations (reference
// eventing.md §5).
func TestTransform(t *testing.T) {
	event := []byte(`{"version":"0","id":"0a78","detail-type":"t","source":"s","account":"1","time":"2026-12-07T16:00:00Z","region":"us-east-1",
		"resources":["arn:r"],"detail":{"id":"0a78","payload":{"acc_id":"0a78","sf_id":"baz"},"list":["HIGH"],"multi":["A","B"],"n":5}}`)
	paths := map[string]string{"id": "$.detail.id", "payload": "$.detail.payload", "list": "$.detail.list", "multi": "$.detail.multi",
		"missing": "$.detail.nope", "n": "$.detail.n", "res": "$.resources[0]"}
	tests := []struct {
		tmpl, want string
		ok         bool
	}{
		{`"Event of <id> type"`, `"Event of 0a78 type"`, true},
		{`{"id": <id>}`, `{"id": "0a78"}`, true},
		{`{"id": "<id>"}`, `{"id": "0a78"}`, true},
		{`{"bod": <payload>}`, `{"bod": {"acc_id":"0a78","sf_id":"baz"}}`, true},
		{`"Payload <payload>"`, `"Payload {acc_id:0a78,sf_id:baz}"`, true},
		{`"<list> item"`, `"[HIGH] item"`, true},
		{`"<multi> items"`, `"[A,B] items"`, true},
		{`{"l": <list>}`, `{"l": ["HIGH"]}`, true},
		{`{"p": "<payload>"}`, "", false},
		{`{"l": "<list>"}`, "", false},
		{`"cmd <missing>"`, `"cmd "`, true},
		{`{"c": <missing>}`, `{"c": ""}`, true},
		{`"{[/starts odd <id>"`, `"{[/starts odd 0a78"`, true},
		{`{"n": <n>, "r": "<res>", "rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>}`,
			`{"n": 5, "r": "arn:r", "rule": "keep", "arn": "arn:aws:events:us-east-1:1:rule/keep"}`, true},
	}
	c := transformContext{ruleARN: "arn:aws:events:us-east-1:1:rule/keep", ruleName: "keep", ingestion: "2026-12-07T16:00:01Z"}
	for _, tt := range tests {
		tr := &InputTransformer{InputPathsMap: paths, InputTemplate: tt.tmpl}
		if err := checkTransformer("t", tr); err != nil {
			t.Fatalf("checkTransformer(%s): %v", tt.tmpl, err)
		}
		got, ok := transform(tr, event, c)
		if ok != tt.ok || got != tt.want {
			t.Errorf("transform(%s) = %q, %v; want %q, %v", tt.tmpl, got, ok, tt.want, tt.ok)
		}
	}
	if err := checkTransformer("t1", &InputTransformer{InputTemplate: `{"a": <b>}`}); err == nil || err.Error() != "Validation: InputTemplate for target t1 contains invalid placeholder b." {
		t.Errorf("an unknown placeholder: %v", err)
	}
	whole, _ := targetInput(&Target{InputTransformer: &InputTransformer{InputTemplate: `{"e": <aws.events.event.json>}`}}, event, c)
	if len(whole) < 100 {
		t.Errorf("<aws.events.event.json> = %s", whole)
	}
	if got, ok := targetInput(&Target{InputPath: "$.detail.payload"}, event, c); !ok || got != `{"acc_id":"0a78","sf_id":"baz"}` {
		t.Errorf("InputPath = %s, %v", got, ok)
	}
}

func FuzzTransform(f *testing.F) {
	f.Add(`{"a": <x>, "b": "<y> z"}`, "$.detail.a", `{"detail":{"a":[1,{"b":"c"}]}}`)
	f.Add(`"<x> and <aws.events.event>"`, "$.resources[0]", `{"resources":["r"]}`)
	f.Add(`<x>`, "$['detail-type']", `{"detail-type":"t"}`)
	f.Fuzz(func(t *testing.T, tmpl, path, event string) {
		tr := &InputTransformer{InputPathsMap: map[string]string{"x": path, "y": path}, InputTemplate: tmpl}
		if checkTransformer("t", tr) != nil {
			return
		}
		transform(tr, []byte(event), transformContext{})
		targetInput(&Target{InputPath: path}, []byte(event), transformContext{})
	})
}
