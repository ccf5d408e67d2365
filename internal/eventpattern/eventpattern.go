// Package eventpattern is the one event filter-pattern engine of gureum: EventBridge rules
// (EventPattern, TestEventPattern, archives), Lambda event-source-mapping FilterCriteria and SNS
// subscription filter policies (attribute and message-body scope) compile their patterns here.
//
// A pattern is compiled once into an immutable *Pattern, safe for concurrent use, and matched
// against events many times. The language is AWS's (EventBridge user guide "Event patterns",
// "Comparison operators"; aws/event-ruler): exact values, arrays as OR, nested fields, prefix,
// suffix, anything-but, numeric ranges, exists, equals-ignore-case, wildcard, cidr and $or.
// Invalid patterns fail with *Error, whose Reason is AWS's text.
//
// Semantics worth knowing (reference: /work/shared/reference/eventing.md §2):
//   - A number matches by value as well as literally (300 matches 300.0); integers compare by
//     their digits, so account-sized ids stay exact. A numeric string never matches a number.
//   - An event array matches when one element does; fields under one array of objects must
//     come from the same element. exists:true needs a leaf value (null counts, an object or []
//     does not); exists:false matches a missing field, an object or [].
//   - anything-but never matches a missing field, and matches null and values of other types.
//   - "a.b" in a pattern or an event means the same as {"a":{"b":…}}.
//   - A string pattern that is an IP address matches the address in any spelling.
//
// Dialects: Lambda accepts EventBridge's language (event-ruler serves both); what differs is
// the record (MatchRecord, DataForm). SNS refuses wildcard and anything-but other than prefix,
// and adds its limits (5 keys, 150 combinations counted as SNS counts them, no nesting in
// attribute scope). Guesses, not AWS-verified: the texts for an over-long pattern and too many
// $or combinations, and Jackson's wording of the rarer JSON syntax errors (syntax.go); the
// wildcard complexity threshold (MaxWildcardComplexity); Lambda's "JSON data" meaning an
// object or an array; SNS String attributes never satisfying numeric conditions. AWS's
// messages also carry Jackson's "at [Source: …]" position, which Reason leaves out.
package eventpattern

// Dialect says which service's variant of the language a pattern is written in.
type Dialect uint8

const (
	// EventBridge is the language of EventBridge rules and archives.
	EventBridge Dialect = iota
	// Lambda is the language of event-source-mapping FilterCriteria; it is EventBridge's, with
	// the record's data key (SQS `body`, Kinesis `data`) parsed as JSON when it is JSON (MatchRecord).
	Lambda
	// SNSAttributes is an SNS filter policy with FilterPolicyScope MessageAttributes: flat, at
	// most 5 keys and 150 combinations, matched against message attributes (MatchAttributes).
	SNSAttributes
	// SNSBody is an SNS filter policy with FilterPolicyScope MessageBody: nesting allowed, matched
	// against the message body as a JSON object.
	SNSBody
)

func (d Dialect) String() string {
	switch d {
	case EventBridge:
		return "EventBridge"
	case Lambda:
		return "Lambda"
	case SNSAttributes:
		return "SNSAttributes"
	case SNSBody:
		return "SNSBody"
	}
	return "Dialect(?)"
}

func (d Dialect) sns() bool { return d == SNSAttributes || d == SNSBody }

// MaxPatternBytes is the longest pattern each dialect accepts: EventBridge's EventPattern and
// Lambda's Filter.Pattern are at most 4,096 characters in the API models (EventBridge's quota
// page says 2,048; the API accepts the model's length), an SNS filter policy 256 KB.
func MaxPatternBytes(d Dialect) int {
	if d.sns() {
		return 256 * 1024
	}
	return 4096
}

// MaxDepth bounds the nesting of patterns and events (PutEvents allows a detail nested 1,000 deep).
const MaxDepth = 1000

// Limits of the number of branches a pattern expands into.
const (
	// MaxCombinations is EventBridge's limit on the combinations a $or expands into.
	MaxCombinations = 1000
	// MaxSNSCombinations is SNS's limit on a filter policy's combinations.
	MaxSNSCombinations = 150
	// MaxSNSKeys is SNS's limit on a filter policy's (top-level) keys.
	MaxSNSKeys = 5
	// MaxWildcardComplexity is the most NFA states a wildcard may keep alive at once; AWS's
	// threshold is undisclosed, and this one rejects AWS's rejected example and nothing in its docs.
	MaxWildcardComplexity = 5
)

// Error is an invalid pattern. Reason is AWS's reason text (event-ruler's parser messages).
type Error struct {
	Dialect Dialect
	Reason  string
}

// Error renders the message as the dialect's service reports it: EventBridge's
// InvalidEventPatternException text, Lambda's InvalidParameterValueException text, and for SNS
// the part after "Invalid parameter: [Attributes Reason: ]" of its InvalidParameter message.
func (e *Error) Error() string {
	switch {
	case e.Dialect == Lambda:
		return "Invalid filter pattern definition."
	case e.Dialect.sns():
		if e.Reason == reasonNestedAttributes {
			return e.Reason
		}
		return "FilterPolicy: " + e.Reason
	}
	return "Event pattern is not valid. Reason: " + e.Reason
}

const reasonNestedAttributes = "Filter policy scope MessageAttributes does not support nested filter policy"

// Pattern is a compiled pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	dialect Dialect
	root    *node
	fields  *fields // the event fields the pattern reads
}

// Dialect is the dialect the pattern was compiled for.
func (p *Pattern) Dialect() Dialect { return p.dialect }

// Match reports whether the JSON event matches. An event that is not JSON is an error (for an
// SNS message body, a body that is not JSON simply does not match: test the error).
func (p *Pattern) Match(event []byte) (bool, error) {
	e, err := decodeFor(event, p.fields)
	if err != nil {
		return false, err
	}
	return p.MatchEvent(e), nil
}

// MatchEvent matches an event decoded once with Decode (or built with Value), so that one event
// can be matched against many patterns.
func (p *Pattern) MatchEvent(e Event) bool {
	if _, ok := e.v.(map[string]any); !ok && p.dialect == SNSBody {
		return false // SNS filters message bodies that are JSON objects only
	}
	return p.root.match(e.v, true)
}

// MatchValue matches an already-decoded value: map[string]any, []any, string, bool, nil, and
// numbers as json.Number, float64 or any Go integer type.
func (p *Pattern) MatchValue(v any) bool {
	return p.MatchEvent(Value(v))
}
