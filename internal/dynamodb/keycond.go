package dynamodb

import (
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
)

// krange is what a key condition selects: one partition, and [lo, hi) of its sort keys' byte
// encodings (nil: unbounded).
type krange struct {
	pk, lo, hi []byte
}

// keyRange reads a key condition: the partition key's equality and at most one condition on
// the sort key, joined by AND.
func keyRange(c expr.Cond, keys keySchema) (krange, error) {
	var parts []expr.Cond
	if err := flattenAnd(c, &parts); err != nil {
		return krange{}, err
	}
	if len(parts) > 2 {
		return krange{}, validation("Conditions can be of length 1 or 2 only")
	}
	var r krange
	seen := map[string]bool{}
	for _, p := range parts {
		name, op, vals, err := keyPart(p)
		if err != nil {
			return krange{}, err
		}
		if name != keys.hash && name != keys.rang {
			if !seen[keys.hash] && !mentions(parts, keys.hash) {
				return krange{}, validation("Query condition missed key schema element: %s", keys.hash)
			}
			return krange{}, validation("Query condition missed key schema element: %s", name)
		}
		if seen[name] {
			return krange{}, validation("KeyConditionExpressions must only contain one condition per key")
		}
		seen[name] = true
		kind := keys.hashKind
		if name == keys.rang {
			kind = keys.rangKind
		}
		for _, v := range vals {
			if v.Kind != kind {
				return krange{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if name == keys.hash {
			if op != "=" {
				return krange{}, validation("Query key condition not supported")
			}
			r.pk = attr.KeyBytes(vals[0])
			continue
		}
		v := attr.KeyBytes(vals[0])
		next := append(append([]byte{}, v...), 0)
		switch op {
		case "=":
			r.lo, r.hi = v, next
		case "<":
			r.hi = v
		case "<=":
			r.hi = next
		case ">":
			r.lo = next
		case ">=":
			r.lo = v
		case "BETWEEN":
			r.lo, r.hi = v, append(append([]byte{}, attr.KeyBytes(vals[1])...), 0)
		case "begins_with":
			if kind == attr.N {
				return krange{}, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
			}
			r.lo, r.hi = v, prefixEnd(v)
		default:
			return krange{}, validation("Query key condition not supported")
		}
	}
	if !seen[keys.hash] {
		return krange{}, validation("Query condition missed key schema element: %s", keys.hash)
	}
	return r, nil
}

func mentions(parts []expr.Cond, name string) bool {
	for _, p := range parts {
		if n, _, _, err := keyPart(p); err == nil && n == name {
			return true
		}
	}
	return false
}

func flattenAnd(c expr.Cond, out *[]expr.Cond) error {
	switch x := c.(type) {
	case *expr.Paren:
		return flattenAnd(x.A, out)
	case *expr.And:
		if err := flattenAnd(x.A, out); err != nil {
			return err
		}
		return flattenAnd(x.B, out)
	case *expr.Or:
		return validation("Invalid operator used in KeyConditionExpression: OR")
	case *expr.Not:
		return validation("Invalid operator used in KeyConditionExpression: NOT")
	case *expr.In:
		return validation("Invalid operator used in KeyConditionExpression: IN")
	case *expr.Func:
		if x.Name != "begins_with" {
			return validation("Invalid operator used in KeyConditionExpression: %s", x.Name)
		}
	case *expr.Compare:
		if x.Op == "<>" {
			return validation("Invalid operator used in KeyConditionExpression: <>")
		}
	}
	*out = append(*out, c)
	return nil
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// keyPart reads one condition of a key condition: the key attribute, the operator and values.
func keyPart(c expr.Cond) (string, string, []attr.Value, error) {
	pathName := func(o expr.Operand) (string, bool) {
		p, ok := o.(*expr.PathOp)
		if !ok || len(p.Path) != 1 {
			return "", false
		}
		return p.Path[0].Name, true
	}
	val := func(o expr.Operand) (attr.Value, bool) {
		v, ok := o.(*expr.ValueOp)
		if !ok {
			return attr.Value{}, false
		}
		return v.V, true
	}
	switch x := c.(type) {
	case *expr.Compare:
		if n, ok := pathName(x.A); ok {
			if v, ok := val(x.B); ok {
				return n, x.Op, []attr.Value{v}, nil
			}
			if _, ok := pathName(x.B); ok {
				return "", "", nil, validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
		}
		if n, ok := pathName(x.B); ok {
			if v, ok := val(x.A); ok {
				return n, flipped[x.Op], []attr.Value{v}, nil
			}
		}
	case *expr.Between:
		n, ok := pathName(x.X)
		if !ok {
			return "", "", nil, validation("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
		}
		lo, ok1 := val(x.Lo)
		hi, ok2 := val(x.Hi)
		if ok1 && ok2 {
			return n, "BETWEEN", []attr.Value{lo, hi}, nil
		}
	case *expr.Func:
		n, ok := pathName(x.Args[0])
		v, ok2 := val(x.Args[1])
		if ok && ok2 {
			return n, "begins_with", []attr.Value{v}, nil
		}
	}
	return "", "", nil, validation("Query key condition not supported")
}

// prefixEnd is the least byte string above every string that starts with p (nil: none).
func prefixEnd(p []byte) []byte {
	end := append([]byte{}, p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
