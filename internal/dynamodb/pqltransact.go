package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
	"github.com/gureum/gureum/internal/dynamodb/partiql"
	"github.com/gureum/gureum/internal/store"
)

// ExecuteTransactionInput is ExecuteTransaction's input.
type ExecuteTransactionInput struct {
	TransactStatements []struct {
		Statement                           string       `json:"Statement"`
		Parameters                          []attr.Value `json:"Parameters,omitempty"`
		ReturnValuesOnConditionCheckFailure string       `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
	} `json:"TransactStatements"`
	ClientRequestToken     string `json:"ClientRequestToken,omitempty"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity,omitempty"`
}

// ExecuteTransactionOutput is ExecuteTransaction's output.
type ExecuteTransactionOutput struct {
	Responses []ItemResponse `json:"Responses,omitempty"`
}

// pqlAction is one statement of a transaction.
type pqlAction struct {
	t         *table
	k         store.ItemKey
	st        *partiql.Statement
	cond      expr.Cond
	returnOld bool
}

// ExecuteTransaction runs up to 100 PartiQL statements, all reads or all writes, all or none,
// in one store transaction; a failed condition cancels it with one reason per statement.
func (s *Service) ExecuteTransaction(ctx context.Context, in *ExecuteTransactionInput) (*ExecuteTransactionOutput, error) {
	n := len(in.TransactStatements)
	if n == 0 || n > 100 {
		return nil, validation("1 validation error detected: Value at 'transactStatements' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	var token *store.TableToken
	if in.ClientRequestToken != "" {
		raw, _ := json.Marshal(in.TransactStatements)
		sum := sha256.Sum256(raw)
		token = &store.TableToken{Account: callerAccount(ctx), Token: in.ClientRequestToken, Hash: sum[:], Created: s.now()}
		if done, err := s.replayed(ctx, token); err != nil || done {
			return &ExecuteTransactionOutput{}, err
		}
	}
	actions := make([]pqlAction, n)
	keys := make([]store.ItemKey, n)
	reads := 0
	seen := map[string]bool{}
	for i, req := range in.TransactStatements {
		st, err := parseStatement(req.Statement, req.Parameters)
		if err != nil {
			return nil, err
		}
		t, err := s.load(ctx, st.Table)
		if err != nil {
			return nil, err
		}
		a := pqlAction{t: t, st: st, returnOld: req.ReturnValuesOnConditionCheckFailure == "ALL_OLD"}
		if st.Kind == "INSERT" {
			if msg := attr.CheckItem(st.Item); msg != "" {
				return nil, validation("%s", msg)
			}
			if a.k, err = t.itemKey(st.Item); err != nil {
				return nil, err
			}
		} else if a.k, a.cond, err = t.keyFromWhere(st.Where); err != nil {
			return nil, err
		}
		if st.Kind == "SELECT" {
			reads++
		}
		id := st.Table + "\x00" + string(tuple(a.k.PK, a.k.SK))
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		actions[i], keys[i] = a, a.k
	}
	if reads != 0 && reads != n {
		return nil, validation("Transaction must contain either all reads or all writes")
	}
	out := &ExecuteTransactionOutput{}
	err := s.store.WriteItems(ctx, keys, token, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
		reasons := make([]CancellationReason, n)
		failed := false
		var writes []store.ItemWrite
		out.Responses = nil
		for i, a := range actions {
			var old Item
			if rows[i] != nil {
				var err error
				if old, err = decodeStored(rows[i]); err != nil {
					return nil, err
				}
			}
			reasons[i] = CancellationReason{Code: "None"}
			if a.st.Kind == "SELECT" {
				out.Responses = append(out.Responses, ItemResponse{Item: (&exprs{proj: a.st.Projection}).projected(old)})
				continue
			}
			w, err := s.pqlWrite(a, old)
			if err != nil {
				e := awserr.As(err)
				reasons[i] = CancellationReason{Code: "ValidationError", Message: e.Message}
				switch {
				case e.Code == ErrConditionalCheckFailed:
					reasons[i].Code = "ConditionalCheckFailed"
					if a.returnOld {
						reasons[i].Item = old
					}
				case e.Code == ErrDuplicateItem:
					reasons[i].Code = "DuplicateItem"
				}
				failed = true
				continue
			}
			if w != nil {
				writes = append(writes, *w)
			}
		}
		if failed {
			return nil, canceled(reasons)
		}
		return writes, nil
	})
	if errors.Is(err, store.ErrExists) && token != nil {
		if done, rerr := s.replayed(ctx, token); rerr != nil || done {
			return &ExecuteTransactionOutput{}, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pqlWrite is the write of one statement on the item as stored (nil: none).
func (s *Service) pqlWrite(a pqlAction, old Item) (*store.ItemWrite, error) {
	var next Item
	switch a.st.Kind {
	case "INSERT":
		if old != nil {
			return nil, ErrDuplicateItem.Errorf("Duplicate primary key exists in table")
		}
		next = a.st.Item
	case "DELETE":
		if a.cond != nil && !expr.Eval(a.cond, old) {
			return nil, ErrConditionalCheckFailed.Errorf(msgConditionFailed)
		}
		if old == nil {
			return nil, nil
		}
		w := a.t.remove(a.k)
		w.Stream = s.streamRecord(a.t, old, nil, false)
		return &w, nil
	case "UPDATE":
		if old == nil || a.cond != nil && !expr.Eval(a.cond, old) {
			return nil, ErrConditionalCheckFailed.Errorf(msgConditionFailed)
		}
		var err error
		if next, err = (&expr.Update{Set: a.st.Set, Remove: a.st.Remove}).Apply(old); err != nil {
			return nil, exprError(err)
		}
	}
	if err := checkSize(next, msgItemTooLarge); err != nil {
		return nil, err
	}
	w, err := a.t.write(a.k, next)
	w.Stream = s.streamRecord(a.t, old, next, false)
	return &w, err
}
