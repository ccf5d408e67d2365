package dynamodb

import (
	"context"
	"errors"
	"math"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
	"github.com/gureum/gureum/internal/store"
)

// writeCommon is what every single-item write takes.
type writeCommon struct {
	TableName                           string              `json:"TableName"`
	ConditionExpression                 string              `json:"ConditionExpression"`
	ExpressionAttributeNames            map[string]string   `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           Item                `json:"ExpressionAttributeValues"`
	ReturnValues                        string              `json:"ReturnValues"`
	ReturnConsumedCapacity              string              `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string              `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string              `json:"ReturnValuesOnConditionCheckFailure"`
	Expected                            map[string]Expected `json:"Expected"`
	ConditionalOperator                 string              `json:"ConditionalOperator"`
}

func (w *writeCommon) tableName() string { return w.TableName }

// exprs parses the write's expressions (update is UpdateItem's).
func (w *writeCommon) exprs(update string, legacyUpdate bool) (*exprs, error) {
	in := exprInput{names: w.ExpressionAttributeNames, values: w.ExpressionAttributeValues, condition: w.ConditionExpression,
		condKind: "ConditionExpression", update: update}
	if w.Expected != nil {
		in.legacy = append(in.legacy, "Expected")
	}
	if legacyUpdate {
		in.legacy = append(in.legacy, "AttributeUpdates")
	}
	x, err := parseExprs(in)
	if err != nil {
		return nil, err
	}
	if w.Expected != nil {
		if x.cond, err = legacyCondition(w.Expected, w.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	switch w.ReturnValuesOnConditionCheckFailure {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", w.ReturnValuesOnConditionCheckFailure)
	}
	return x, nil
}

// capacity is the ConsumedCapacity of a call that touched size bytes, when asked for.
func capacity(ask, table string, size int, write, consistent bool) *ConsumedCapacity {
	if ask != "TOTAL" && ask != "INDEXES" {
		return nil
	}
	units := 0.0
	if write {
		units = math.Max(1, math.Ceil(float64(size)/1024))
		return &ConsumedCapacity{TableName: table, CapacityUnits: units, WriteCapacityUnits: &units}
	}
	units = math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		units /= 2
	}
	return &ConsumedCapacity{TableName: table, CapacityUnits: units, ReadCapacityUnits: &units}
}

// PutItemInput is PutItem's input.
type PutItemInput struct {
	writeCommon
	Item Item `json:"Item"`
}

// ItemOutput is the output of PutItem, UpdateItem and DeleteItem.
type ItemOutput struct {
	Attributes       Item              `json:"Attributes,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

func checkReturnValues(rv string, update bool) error {
	switch rv {
	case "", "NONE", "ALL_OLD":
		return nil
	case "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
		if update {
			return nil
		}
	}
	return validation("Return values set to invalid value")
}

// change is one item write decided on the item as stored.
type change func(old Item) (next Item, write bool, err error)

// writeItem reads the item at k, decides with fn and writes, in one store transaction; it
// returns the old and new items.
func (s *Service) writeItem(ctx context.Context, t *table, k store.ItemKey, fn change) (old, next Item, err error) {
	err = s.store.WriteItems(ctx, []store.ItemKey{k}, nil, func(rows []*store.TableItem) ([]store.ItemWrite, error) {
		old, next = nil, nil
		if rows[0] != nil {
			var err error
			if old, err = decodeStored(rows[0]); err != nil {
				return nil, err
			}
		}
		n, write, err := fn(old)
		if err != nil || !write {
			return nil, err
		}
		next = n
		if n == nil {
			w := t.remove(k)
			w.Stream = s.streamRecord(t, old, nil, false)
			return []store.ItemWrite{w}, nil
		}
		w, err := t.write(k, n)
		w.Stream = s.streamRecord(t, old, n, false)
		return []store.ItemWrite{w}, err
	})
	return old, next, err
}

// PutItem writes a whole item, under a condition.
func (s *Service) PutItem(ctx context.Context, in *PutItemInput) (*ItemOutput, error) {
	t, err := s.loadShared(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, false); err != nil {
		return nil, err
	}
	if msg := attr.CheckItem(in.Item); msg != "" {
		return nil, validation("%s", msg)
	}
	k, err := t.itemKey(in.Item)
	if err != nil {
		return nil, err
	}
	if err := checkSize(in.Item, msgItemTooLarge); err != nil {
		return nil, err
	}
	x, err := in.exprs("", false)
	if err != nil {
		return nil, err
	}
	if err := s.chargeWrite(t, in.Item); err != nil {
		return nil, err
	}
	old, _, err := s.writeItem(ctx, t, k, func(old Item) (Item, bool, error) {
		if !x.holds(old) {
			return nil, false, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
		}
		return in.Item, true, nil
	})
	if err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.Name, max(attr.ItemSize(in.Item), attr.ItemSize(old)), true, true)}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}

// DeleteItemInput is DeleteItem's input.
type DeleteItemInput struct {
	writeCommon
	Key Item `json:"Key"`
}

// DeleteItem removes an item, under a condition.
func (s *Service) DeleteItem(ctx context.Context, in *DeleteItemInput) (*ItemOutput, error) {
	t, err := s.loadShared(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, false); err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	x, err := in.exprs("", false)
	if err != nil {
		return nil, err
	}
	if err := s.chargeWrite(t); err != nil {
		return nil, err
	}
	old, _, err := s.writeItem(ctx, t, k, func(old Item) (Item, bool, error) {
		if !x.holds(old) {
			return nil, false, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
		}
		return nil, old != nil, nil
	})
	if err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.Name, attr.ItemSize(old), true, true)}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}

// AttributeValueUpdate is one entry of the legacy AttributeUpdates.
type AttributeValueUpdate struct {
	Value  *attr.Value `json:"Value"`
	Action string      `json:"Action"`
}

// UpdateItemInput is UpdateItem's input.
type UpdateItemInput struct {
	writeCommon
	Key              Item                            `json:"Key"`
	UpdateExpression string                          `json:"UpdateExpression"`
	AttributeUpdates map[string]AttributeValueUpdate `json:"AttributeUpdates"`
}

// legacyUpdate turns AttributeUpdates into an update.
func legacyUpdate(in map[string]AttributeValueUpdate) (*expr.Update, error) {
	u := &expr.Update{}
	for name, a := range in {
		p := expr.Path{{Name: name}}
		switch a.Action {
		case "", "PUT":
			if a.Value == nil {
				return nil, validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			u.Set = append(u.Set, expr.SetAction{Path: p, Val: &expr.ValueOp{V: *a.Value}})
		case "DELETE":
			if a.Value == nil {
				u.Remove = append(u.Remove, p)
			} else {
				u.Delete = append(u.Delete, expr.ValueAction{Path: p, Val: *a.Value})
			}
		case "ADD":
			if a.Value == nil {
				return nil, validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			u.Add = append(u.Add, expr.ValueAction{Path: p, Val: *a.Value})
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", a.Action, name)
		}
	}
	return u, nil
}

// UpdateItem changes an item (making it when missing), under a condition.
func (s *Service) UpdateItem(ctx context.Context, in *UpdateItemInput) (*ItemOutput, error) {
	t, err := s.loadShared(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, true); err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	x, err := in.exprs(in.UpdateExpression, in.AttributeUpdates != nil)
	if err != nil {
		return nil, err
	}
	u := x.update
	if in.AttributeUpdates != nil {
		if u, err = legacyUpdate(in.AttributeUpdates); err != nil {
			return nil, err
		}
	}
	if u == nil {
		u = &expr.Update{}
	}
	for _, p := range u.Paths() {
		if p[0].Name == t.keys.hash || p[0].Name == t.keys.rang {
			return nil, validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p[0].Name)
		}
	}
	if err := s.chargeWrite(t); err != nil {
		return nil, err
	}
	old, next, err := s.writeItem(ctx, t, k, func(old Item) (Item, bool, error) {
		if !x.holds(old) {
			return nil, false, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
		}
		if old == nil && len(u.Set) == 0 && len(u.Add) == 0 && (len(u.Remove) > 0 || len(u.Delete) > 0) {
			return nil, false, nil // only removals: nothing to make
		}
		base := old
		if base == nil {
			base = Item{}
			for k, v := range in.Key {
				base[k] = v
			}
		}
		next, err := u.Apply(base)
		if err != nil {
			return nil, false, exprError(err)
		}
		if msg := attr.CheckItem(next); msg != "" {
			return nil, false, validation("%s", msg)
		}
		if err := checkSize(next, msgUpdateTooLarge); err != nil {
			return nil, false, err
		}
		return next, true, nil
	})
	if err != nil {
		return nil, err
	}
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.Name, max(attr.ItemSize(next), attr.ItemSize(old)), true, true)}
	switch in.ReturnValues {
	case "ALL_OLD":
		out.Attributes = old
	case "ALL_NEW":
		out.Attributes = next
	case "UPDATED_OLD":
		out.Attributes = expr.Project(old, u.Paths())
	case "UPDATED_NEW":
		out.Attributes = expr.Project(next, u.Paths())
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return out, nil
}

// GetItemInput is GetItem's input.
type GetItemInput struct {
	TableName                string            `json:"TableName"`
	Key                      Item              `json:"Key"`
	ConsistentRead           bool              `json:"ConsistentRead"`
	ProjectionExpression     string            `json:"ProjectionExpression"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames"`
	AttributesToGet          []string          `json:"AttributesToGet"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity"`
}

func (in *GetItemInput) tableName() string { return in.TableName }

// GetItemOutput is GetItem's output.
type GetItemOutput struct {
	Item             attr.Wire         `json:"Item,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// readExprs parses a read's projection.
func readExprs(projection string, names map[string]string, toGet []string) (*exprs, error) {
	in := exprInput{names: names, projection: projection}
	if toGet != nil {
		in.legacy = []string{"AttributesToGet"}
	}
	x, err := parseExprs(in)
	if err != nil {
		return nil, err
	}
	x.attributesToGet(toGet)
	return x, nil
}

// GetItem reads an item; every read sees every acknowledged write.
func (s *Service) GetItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	t, err := s.loadShared(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	x, err := readExprs(in.ProjectionExpression, in.ExpressionAttributeNames, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	item, err := s.getItem(ctx, k)
	if err != nil {
		return nil, err
	}
	if err := s.chargeRead(t, attr.ItemSize(item), in.ConsistentRead); err != nil {
		return nil, err
	}
	return &GetItemOutput{Item: x.projected(item), ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.Name, attr.ItemSize(item), false, in.ConsistentRead)}, nil
}

func (s *Service) getItem(ctx context.Context, k store.ItemKey) (Item, error) {
	row, err := s.store.GetItem(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeStored(&row)
}
