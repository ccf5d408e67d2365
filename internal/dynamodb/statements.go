package dynamodb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
	"github.com/gureum/gureum/internal/dynamodb/partiql"
	"github.com/gureum/gureum/internal/store"
)

// ErrDuplicateItem is PartiQL's INSERT of a key that exists.
var ErrDuplicateItem = &awserr.Code{Name: "DuplicateItemException", Status: 400}

// ExecuteStatementInput is ExecuteStatement's input.
type ExecuteStatementInput struct {
	Statement                           string       `json:"Statement"`
	Parameters                          []attr.Value `json:"Parameters"`
	ConsistentRead                      bool         `json:"ConsistentRead"`
	NextToken                           string       `json:"NextToken"`
	Limit                               *int         `json:"Limit"`
	ReturnConsumedCapacity              string       `json:"ReturnConsumedCapacity"`
	ReturnValuesOnConditionCheckFailure string       `json:"ReturnValuesOnConditionCheckFailure"`
}

// ExecuteStatementOutput is ExecuteStatement's output.
type ExecuteStatementOutput struct {
	Items            []attr.Wire `json:"Items"`
	NextToken        string      `json:"NextToken,omitempty"`
	LastEvaluatedKey Item        `json:"LastEvaluatedKey,omitempty"`
}

// parseStatement parses a statement with its parameters, as DynamoDB validates them.
func parseStatement(src string, params []attr.Value) (*partiql.Statement, error) {
	if params != nil && len(params) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for _, p := range params {
		if msg := p.Check(); msg != "" {
			return nil, validation("%s", msg)
		}
	}
	st, err := partiql.Parse(src, params)
	var pe *partiql.Error
	if errors.As(err, &pe) {
		return nil, validation("%s", pe.Msg)
	}
	return st, err
}

// ExecuteStatement runs one PartiQL statement: a SELECT is a Query when its WHERE fixes the
// partition key and a Scan otherwise (Limit and the 1 MB page apply before the WHERE, so a page
// may be empty and carry a NextToken); INSERT, UPDATE and DELETE write one item.
func (s *Service) ExecuteStatement(ctx context.Context, in *ExecuteStatementInput) (*ExecuteStatementOutput, error) {
	st, err := parseStatement(in.Statement, in.Parameters)
	if err != nil {
		return nil, err
	}
	t, err := s.load(ctx, st.Table)
	if err != nil {
		return nil, err
	}
	returnOld := in.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
	switch st.Kind {
	case "SELECT":
		return s.selectStatement(ctx, t, st, in)
	case "INSERT":
		return &ExecuteStatementOutput{Items: []attr.Wire{}}, s.insertStatement(ctx, t, st)
	}
	k, cond, err := t.keyFromWhere(st.Where)
	if err != nil {
		return nil, err
	}
	if err := s.chargeWrite(t); err != nil {
		return nil, err
	}
	_, _, err = s.writeItem(ctx, t, k, func(old Item) (Item, bool, error) {
		if old == nil && st.Kind == "UPDATE" || cond != nil && !expr.Eval(cond, old) {
			return nil, false, conditionFailed(old, returnOld)
		}
		if st.Kind == "DELETE" {
			return nil, old != nil, nil
		}
		next, err := (&expr.Update{Set: st.Set, Remove: st.Remove}).Apply(old)
		if err != nil {
			return nil, false, exprError(err)
		}
		for _, a := range st.Set {
			if a.Path[0].Name == t.keys.hash || a.Path[0].Name == t.keys.rang {
				return nil, false, validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", a.Path[0].Name)
			}
		}
		return next, true, checkSize(next, msgUpdateTooLarge)
	})
	if err != nil {
		return nil, err
	}
	return &ExecuteStatementOutput{Items: []attr.Wire{}}, nil
}

func (s *Service) insertStatement(ctx context.Context, t *table, st *partiql.Statement) error {
	if msg := attr.CheckItem(st.Item); msg != "" {
		return validation("%s", msg)
	}
	k, err := t.itemKey(st.Item)
	if err != nil {
		return err
	}
	if err := checkSize(st.Item, msgItemTooLarge); err != nil {
		return err
	}
	if err := s.chargeWrite(t, st.Item); err != nil {
		return err
	}
	_, _, err = s.writeItem(ctx, t, k, func(old Item) (Item, bool, error) {
		if old != nil {
			return nil, false, ErrDuplicateItem.Errorf("Duplicate primary key exists in table")
		}
		return st.Item, true, nil
	})
	return err
}

// conjuncts lists the conditions a WHERE joins with AND.
func conjuncts(c expr.Cond, out []expr.Cond) []expr.Cond {
	switch x := c.(type) {
	case *expr.And:
		return conjuncts(x.B, conjuncts(x.A, out))
	case *expr.Paren:
		if _, ok := x.A.(*expr.And); ok {
			return conjuncts(x.A, out)
		}
	case nil:
		return out
	}
	return append(out, c)
}

// equality returns the value a conjunct fixes name to.
func equality(c expr.Cond, name string) (attr.Value, bool) {
	cmp, ok := c.(*expr.Compare)
	if !ok || cmp.Op != "=" {
		return attr.Value{}, false
	}
	p, ok1 := cmp.A.(*expr.PathOp)
	v, ok2 := cmp.B.(*expr.ValueOp)
	if !ok1 || !ok2 {
		p, ok1 = cmp.B.(*expr.PathOp)
		v, ok2 = cmp.A.(*expr.ValueOp)
	}
	if ok1 && ok2 && len(p.Path) == 1 && p.Path[0].Name == name {
		return v.V, true
	}
	return attr.Value{}, false
}

// keyFromWhere reads the item a write statement names (equalities on every key attribute) and
// the rest of its WHERE as a condition.
func (t *table) keyFromWhere(where expr.Cond) (store.ItemKey, expr.Cond, error) {
	key := Item{}
	var rest expr.Cond
	for _, c := range conjuncts(where, nil) {
		matched := false
		for _, n := range []string{t.keys.hash, t.keys.rang} {
			if v, ok := equality(c, n); ok && n != "" {
				if _, dup := key[n]; !dup {
					key[n], matched = v, true
					break
				}
			}
		}
		if !matched {
			if rest == nil {
				rest = c
			} else {
				rest = &expr.And{A: rest, B: c}
			}
		}
	}
	if _, ok := key[t.keys.hash]; !ok || t.keys.rang != "" && key[t.keys.rang].Kind == attr.Invalid {
		return store.ItemKey{}, nil, validation("Where clause does not contain a mandatory equality on all key attributes")
	}
	k, err := t.keyOf(key)
	return k, rest, err
}

func (s *Service) selectStatement(ctx context.Context, t *table, st *partiql.Statement, in *ExecuteStatementInput) (*ExecuteStatementOutput, error) {
	rd := &reader{t: t, keys: t.keys, x: &exprs{proj: st.Projection}, filter: st.Where, limit: -1}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		rd.limit = *in.Limit
	}
	if st.Index != "" {
		ix, ok := t.indexes[st.Index]
		if !ok {
			return nil, validation("The table does not have the specified index: %s", st.Index)
		}
		rd.ix, rd.keys = ix, ix.keys
	}
	var esk Item
	if in.NextToken != "" {
		raw, err := base64.StdEncoding.DecodeString(in.NextToken)
		if err != nil || json.Unmarshal(raw, &esk) != nil {
			return nil, validation("Invalid NextToken")
		}
	}
	var pk []byte
	for _, c := range conjuncts(st.Where, nil) {
		if v, ok := equality(c, rd.keys.hash); ok && v.Kind == rd.keys.hashKind {
			pk = attr.KeyBytes(v)
			break
		}
	}
	var out *ReadOutput
	var err error
	if pk != nil {
		out, err = s.readPartition(ctx, rd, pk, esk)
	} else {
		out, err = s.readAll(ctx, rd, esk)
	}
	if err != nil {
		return nil, err
	}
	res := &ExecuteStatementOutput{Items: out.Items, LastEvaluatedKey: out.LastEvaluatedKey}
	if res.Items == nil {
		res.Items = []attr.Wire{}
	}
	if out.LastEvaluatedKey != nil {
		res.NextToken = base64.StdEncoding.EncodeToString(attr.EncodeItem(out.LastEvaluatedKey))
	}
	return res, nil
}

// readPartition reads one partition in order from after esk, filtering.
func (s *Service) readPartition(ctx context.Context, rd *reader, pk []byte, esk Item) (*ReadOutput, error) {
	r := store.ItemRange{Table: rd.t.ID, PK: pk}
	if rd.ix != nil {
		r.Index = rd.ix.name
	}
	if esk != nil {
		_, epk, pos, err := rd.startKey(esk)
		if err != nil || !bytes.Equal(epk, pk) {
			return nil, validation("Invalid NextToken")
		}
		r.Lo = append(append([]byte{}, pos...), 0)
	}
	out, _, err := rd.page(func(after *store.TableItem, n int) ([]store.TableItem, error) {
		if after != nil {
			pos := after.SK
			if rd.ix != nil {
				item, err := decodeStored(after)
				if err != nil {
					return nil, err
				}
				_, _, pos, _ = rd.startKey(rd.lastKey(item))
			}
			r.Lo = append(append([]byte{}, pos...), 0)
		}
		q := r
		q.Limit = n
		return s.store.QueryItems(ctx, q)
	}, nil)
	return out, err
}

// readAll scans the table or index from after esk, filtering.
func (s *Service) readAll(ctx context.Context, rd *reader, esk Item) (*ReadOutput, error) {
	var afterPK, afterOrd []byte
	if esk != nil {
		var err error
		if _, afterPK, afterOrd, err = rd.startKey(esk); err != nil {
			return nil, validation("Invalid NextToken")
		}
	}
	index := ""
	if rd.ix != nil {
		index = rd.ix.name
	}
	out, _, err := rd.page(func(after *store.TableItem, n int) ([]store.TableItem, error) {
		if after != nil {
			afterPK, afterOrd = after.PK, after.SK
			if rd.ix != nil {
				item, err := decodeStored(after)
				if err != nil {
					return nil, err
				}
				_, afterPK, afterOrd, _ = rd.startKey(rd.lastKey(item))
			}
		}
		return s.store.ScanItems(ctx, rd.t.ID, index, afterPK, afterOrd, n)
	}, nil)
	return out, err
}

// BatchStatementRequest is one statement of BatchExecuteStatement.
type BatchStatementRequest struct {
	Statement                           string       `json:"Statement"`
	Parameters                          []attr.Value `json:"Parameters"`
	ConsistentRead                      bool         `json:"ConsistentRead"`
	ReturnValuesOnConditionCheckFailure string       `json:"ReturnValuesOnConditionCheckFailure"`
}

// BatchExecuteStatementInput is BatchExecuteStatement's input.
type BatchExecuteStatementInput struct {
	Statements             []BatchStatementRequest `json:"Statements"`
	ReturnConsumedCapacity string                  `json:"ReturnConsumedCapacity"`
}

// BatchStatementResponse is one statement's outcome.
type BatchStatementResponse struct {
	TableName string `json:"TableName,omitempty"`
	Item      Item   `json:"Item,omitempty"`
	Error     *struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
		Item    Item   `json:"Item,omitempty"`
	} `json:"Error,omitempty"`
}

// BatchExecuteStatementOutput is BatchExecuteStatement's output.
type BatchExecuteStatementOutput struct {
	Responses []BatchStatementResponse `json:"Responses"`
}

var batchCodes = map[string]string{"ConditionalCheckFailedException": "ConditionalCheckFailed", "DuplicateItemException": "DuplicateItem",
	"ValidationException": "ValidationError", "ResourceNotFoundException": "ResourceNotFound", "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
	"TransactionConflictException": "TransactionConflict", "RequestLimitExceeded": "RequestLimitExceeded"}

// BatchExecuteStatement runs up to 25 statements, all reads of one item each or all writes,
// answering each one's outcome (HTTP 200 even when some fail).
func (s *Service) BatchExecuteStatement(ctx context.Context, in *BatchExecuteStatementInput) (*BatchExecuteStatementOutput, error) {
	if len(in.Statements) == 0 || len(in.Statements) > 25 {
		return nil, validation("1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25, Member must have length greater than or equal to 1")
	}
	out := &BatchExecuteStatementOutput{}
	for _, req := range in.Statements {
		var resp BatchStatementResponse
		st, err := parseStatement(req.Statement, req.Parameters)
		if err == nil {
			resp.TableName = st.Table
			if st.Kind == "SELECT" {
				var t *table
				if t, err = s.load(ctx, st.Table); err == nil {
					var k store.ItemKey
					if k, _, err = t.keyFromWhere(st.Where); err == nil {
						var r *ExecuteStatementOutput
						r, err = s.ExecuteStatement(ctx, &ExecuteStatementInput{Statement: req.Statement, Parameters: req.Parameters, ConsistentRead: req.ConsistentRead})
						_ = k
						if err == nil && len(r.Items) > 0 {
							resp.Item = Item(r.Items[0])
						}
					}
				}
			} else {
				_, err = s.ExecuteStatement(ctx, &ExecuteStatementInput{Statement: req.Statement, Parameters: req.Parameters, ReturnValuesOnConditionCheckFailure: req.ReturnValuesOnConditionCheckFailure})
			}
		}
		if err != nil {
			e := awserr.As(err)
			if e.Kind == awserr.Internal && e.Code == nil {
				return nil, err
			}
			name := "InternalServerError"
			if e.Code != nil {
				name = e.Code.Name
			}
			code, ok := batchCodes[name]
			if !ok {
				code = "InternalServerError"
			}
			resp.Error = &struct {
				Code    string `json:"Code"`
				Message string `json:"Message"`
				Item    Item   `json:"Item,omitempty"`
			}{Code: code, Message: e.Message}
			if item, ok := e.Members["Item"].(attr.Item); ok {
				resp.Error.Item = item
			}
		}
		out.Responses = append(out.Responses, resp)
	}
	return out, nil
}
