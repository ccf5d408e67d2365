package dynamodb

import (
	"errors"
	"sort"
	"strings"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
)

// exprInput is the expression part of a request.
type exprInput struct {
	names      map[string]string
	values     Item
	condition  string // ConditionExpression or FilterExpression
	condKind   string
	projection string
	update     string
	keyCond    string
	// legacy parameters given, to refuse mixing them with expressions
	legacy []string
}

// exprs is a request's parsed expressions.
type exprs struct {
	env    *expr.Env
	cond   expr.Cond
	key    expr.Cond
	proj   []expr.Path
	update *expr.Update
}

// exprError turns a parse error into a ValidationException.
func exprError(err error) error {
	var e *expr.Error
	if errors.As(err, &e) {
		return validation("%s", e.Error())
	}
	return err
}

func parseExprs(in exprInput) (*exprs, error) {
	var used []string
	for _, x := range []struct{ name, v string }{{in.condKind, in.condition}, {"ProjectionExpression", in.projection},
		{"UpdateExpression", in.update}, {"KeyConditionExpression", in.keyCond}} {
		if x.v != "" {
			used = append(used, x.name)
		}
	}
	if len(in.legacy) > 0 && len(used) > 0 {
		sort.Strings(in.legacy)
		return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
			strings.Join(in.legacy, ", "), strings.Join(used, ", "))
	}
	if in.names != nil && len(in.names) == 0 {
		return nil, validation("ExpressionAttributeNames must not be empty")
	}
	if in.values != nil && len(in.values) == 0 {
		return nil, validation("ExpressionAttributeValues must not be empty")
	}
	if len(used) == 0 {
		if in.names != nil {
			return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if in.values != nil {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
	}
	keys := make([]string, 0, len(in.values))
	for k := range in.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if msg := in.values[k].Check(); msg != "" {
			return nil, validation("ExpressionAttributeValues contains invalid value: %s for key %s", msg, k)
		}
	}
	x := &exprs{env: expr.NewEnv(in.names, in.values)}
	var err error
	if in.keyCond != "" {
		if x.key, err = expr.ParseCondition("KeyConditionExpression", in.keyCond, x.env); err != nil {
			return nil, exprError(err)
		}
	}
	if in.condition != "" {
		if x.cond, err = expr.ParseCondition(in.condKind, in.condition, x.env); err != nil {
			return nil, exprError(err)
		}
	}
	if in.projection != "" {
		if x.proj, err = expr.ParseProjection(in.projection, x.env); err != nil {
			return nil, exprError(err)
		}
	}
	if in.update != "" {
		if x.update, err = expr.ParseUpdate(in.update, x.env); err != nil {
			return nil, exprError(err)
		}
	}
	if err := x.env.Unused(); err != nil {
		return nil, exprError(err)
	}
	return x, nil
}

// holds decides the condition on an item (no condition: true).
func (x *exprs) holds(item Item) bool {
	return x.cond == nil || expr.Eval(x.cond, item)
}

// projected applies the projection (or AttributesToGet) to an item.
func (x *exprs) projected(item Item) Item {
	if x.proj == nil || item == nil {
		return item
	}
	return expr.Project(item, x.proj)
}

// attributesToGet turns the legacy AttributesToGet into projection paths.
func (x *exprs) attributesToGet(names []string) {
	if len(names) == 0 {
		return
	}
	for _, n := range names {
		x.proj = append(x.proj, expr.Path{{Name: n}})
	}
}

// Expected is one condition of the legacy Expected parameter.
type Expected struct {
	Value              *attr.Value  `json:"Value"`
	Exists             *bool        `json:"Exists"`
	ComparisonOperator string       `json:"ComparisonOperator"`
	AttributeValueList []attr.Value `json:"AttributeValueList"`
}

// legacyCondition turns Expected (with ConditionalOperator) into a condition.
func legacyCondition(expected map[string]Expected, op string) (expr.Cond, error) {
	names := make([]string, 0, len(expected))
	for n := range expected {
		names = append(names, n)
	}
	sort.Strings(names)
	var out expr.Cond
	for _, n := range names {
		c, err := legacyOne(n, expected[n])
		if err != nil {
			return nil, err
		}
		switch {
		case out == nil:
			out = c
		case op == "OR":
			out = &expr.Or{A: out, B: c}
		default:
			out = &expr.And{A: out, B: c}
		}
	}
	return out, nil
}

func legacyOne(name string, e Expected) (expr.Cond, error) {
	path := &expr.PathOp{Path: expr.Path{{Name: name}}}
	vals := e.AttributeValueList
	if e.Value != nil {
		vals = []attr.Value{*e.Value}
	}
	ops := make([]expr.Operand, len(vals))
	for i, v := range vals {
		ops[i] = &expr.ValueOp{V: v}
	}
	op := e.ComparisonOperator
	if op == "" {
		if e.Exists != nil && !*e.Exists {
			return &expr.Func{Name: "attribute_not_exists", Args: []expr.Operand{path}}, nil
		}
		if e.Value == nil {
			return nil, validation("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: %s", name)
		}
		op = "EQ"
	}
	need := func(n int) error {
		if len(ops) != n {
			return validation("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
		}
		return nil
	}
	cmp := map[string]string{"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
	switch op {
	case "EQ", "NE", "LT", "LE", "GT", "GE":
		if err := need(1); err != nil {
			return nil, err
		}
		return &expr.Compare{Op: cmp[op], A: path, B: ops[0]}, nil
	case "NULL":
		return &expr.Func{Name: "attribute_not_exists", Args: []expr.Operand{path}}, need(0)
	case "NOT_NULL":
		return &expr.Func{Name: "attribute_exists", Args: []expr.Operand{path}}, need(0)
	case "CONTAINS", "BEGINS_WITH":
		fn := map[string]string{"CONTAINS": "contains", "BEGINS_WITH": "begins_with"}[op]
		return &expr.Func{Name: fn, Args: []expr.Operand{path, ops[0]}}, need(1)
	case "NOT_CONTAINS":
		if err := need(1); err != nil {
			return nil, err
		}
		return &expr.And{A: &expr.Func{Name: "attribute_exists", Args: []expr.Operand{path}},
			B: &expr.Not{A: &expr.Func{Name: "contains", Args: []expr.Operand{path, ops[0]}}}}, nil
	case "IN":
		if len(ops) == 0 {
			return nil, need(1)
		}
		return &expr.In{X: path, List: ops}, nil
	case "BETWEEN":
		if err := need(2); err != nil {
			return nil, err
		}
		return &expr.Between{X: path, Lo: ops[0], Hi: ops[1]}, nil
	}
	return nil, validation("1 validation error detected: Value '%s' at 'expected.%s.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op, name)
}
