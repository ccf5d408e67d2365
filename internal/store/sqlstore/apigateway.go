package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gureum/gureum/internal/store"
)

// APIGateway implements store.APIGateway: API Gateway's objects as versioned documents, its API
// keys, the keys of its usage plans, and quota counters consumed by one conditional upsert each,
// so concurrent requests on any node never count past a limit.
type APIGateway struct {
	base
	st struct {
		createObj, updateObj, deleteObj, deleteChildren                   *stmt
		createKey, updateKey, deleteKey, deleteKeyPlans                   *stmt
		addPlanKey, removePlanKey, deletePlanKeys                         *stmt
		consume, countDay, addDay, grant, deletePlanQuota, deletePlanDays *stmt
		obj, objAny, objs, key, keyByValue, keys                          *stmt
		planKeys, keyPlans, quota, usage                                  *stmt
	}
}

var _ store.APIGateway = (*APIGateway)(nil)

const (
	apiObjectColumns = `kind, account_id, parent, id, version, doc, created_at`
	apiKeyColumns    = `account_id, id, value, enabled, doc, created_at`
)

func newAPIGateway(b base) *APIGateway {
	s := &APIGateway{base: b.of("apigateway")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createObj = w("createObj", `INSERT INTO apigw_objects (`+apiObjectColumns+`) VALUES (?, ?, ?, ?, 1, ?, ?)`)
	s.st.updateObj = w("updateObj", `UPDATE apigw_objects SET doc = ?, version = version + 1
		WHERE kind = ? AND account_id = ? AND parent = ? AND id = ? AND version = ?`)
	s.st.deleteObj = w("deleteObj", `DELETE FROM apigw_objects WHERE kind = ? AND account_id = ? AND parent = ? AND id = ?`)
	s.st.deleteChildren = w("deleteChildren", `DELETE FROM apigw_objects WHERE account_id = ? AND parent = ? AND kind IN ('deployment', 'stage')`)
	s.st.obj = r("obj", `SELECT `+apiObjectColumns+` FROM apigw_objects WHERE kind = ? AND account_id = ? AND parent = ? AND id = ?`)
	s.st.objAny = r("objAny", `SELECT `+apiObjectColumns+` FROM apigw_objects WHERE kind = ? AND parent = ? AND id = ?`)
	s.st.objs = r("objs", `SELECT `+apiObjectColumns+` FROM apigw_objects WHERE account_id = ? AND kind = ? AND parent = ? ORDER BY id`)

	s.st.createKey = w("createKey", `INSERT INTO apigw_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?)`)
	s.st.updateKey = w("updateKey", `UPDATE apigw_keys SET enabled = ?, doc = ? WHERE account_id = ? AND id = ?`)
	s.st.deleteKey = w("deleteKey", `DELETE FROM apigw_keys WHERE account_id = ? AND id = ?`)
	s.st.deleteKeyPlans = w("deleteKeyPlans", `DELETE FROM apigw_plan_keys WHERE account_id = ? AND key_id = ?`)
	s.st.key = r("key", `SELECT `+apiKeyColumns+` FROM apigw_keys WHERE account_id = ? AND id = ?`)
	s.st.keyByValue = r("keyByValue", `SELECT `+apiKeyColumns+` FROM apigw_keys WHERE account_id = ? AND value = ?`)
	s.st.keys = r("keys", `SELECT `+apiKeyColumns+` FROM apigw_keys WHERE account_id = ? ORDER BY id`)

	s.st.addPlanKey = w("addPlanKey", `INSERT INTO apigw_plan_keys (account_id, plan_id, key_id) VALUES (?, ?, ?)`)
	s.st.removePlanKey = w("removePlanKey", `DELETE FROM apigw_plan_keys WHERE account_id = ? AND plan_id = ? AND key_id = ?`)
	s.st.deletePlanKeys = w("deletePlanKeys", `DELETE FROM apigw_plan_keys WHERE account_id = ? AND plan_id = ?`)
	s.st.planKeys = r("planKeys", `SELECT key_id FROM apigw_plan_keys WHERE account_id = ? AND plan_id = ? ORDER BY key_id`)
	s.st.keyPlans = r("keyPlans", `SELECT plan_id FROM apigw_plan_keys WHERE account_id = ? AND key_id = ? ORDER BY plan_id`)

	// The upsert's WHERE holds under the row's lock: a count at its limit stays there and
	// returns no row.
	s.st.consume = w("consume", `INSERT INTO apigw_quota (plan_id, key_id, period, used, granted) VALUES (?, ?, ?, 1, 0)
		ON CONFLICT (plan_id, key_id, period) DO UPDATE SET used = apigw_quota.used + 1
		WHERE apigw_quota.used < ? + apigw_quota.granted RETURNING used`)
	s.st.countDay = w("countDay", `INSERT INTO apigw_usage (plan_id, key_id, day, used) VALUES (?, ?, ?, 1)
		ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = apigw_usage.used + 1`)
	s.st.addDay = w("addDay", `INSERT INTO apigw_usage (plan_id, key_id, day, used) VALUES (?, ?, ?, ?)
		ON CONFLICT (plan_id, key_id, day) DO UPDATE SET used = apigw_usage.used + ?`)
	s.st.grant = w("grant", `INSERT INTO apigw_quota (plan_id, key_id, period, used, granted) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (plan_id, key_id, period) DO UPDATE SET granted = apigw_quota.granted + ?`)
	s.st.deletePlanQuota = w("deletePlanQuota", `DELETE FROM apigw_quota WHERE plan_id = ?`)
	s.st.deletePlanDays = w("deletePlanDays", `DELETE FROM apigw_usage WHERE plan_id = ?`)
	s.st.quota = r("quota", `SELECT used, granted FROM apigw_quota WHERE plan_id = ? AND key_id = ? AND period = ?`)
	s.st.usage = r("usage", `SELECT key_id, day, used FROM apigw_usage WHERE plan_id = ? AND day >= ? AND day <= ? ORDER BY key_id, day`)
	return s
}

func scanAPIObject(row scanner) (store.APIObject, error) {
	var o store.APIObject
	var kind string
	var created int64
	err := row.Scan(&kind, &o.Account, &o.Parent, &o.ID, &o.Version, &o.Doc, &created)
	o.Kind, o.Created = store.APIKind(kind), fromNanos(created)
	return o, err
}

func scanAPIKey(row scanner) (store.APIKey, error) {
	var k store.APIKey
	var enabled int
	var created int64
	err := row.Scan(&k.Account, &k.ID, &k.Value, &enabled, &k.Doc, &created)
	k.Enabled, k.Created = enabled != 0, fromNanos(created)
	return k, err
}

// CreateAPIObject stores a new object.
func (s *APIGateway) CreateAPIObject(ctx context.Context, o store.APIObject) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createObj.in(ctx, tx).ExecContext(ctx, string(o.Kind), o.Account, o.Parent, o.ID, o.Doc, nanos(o.Created))
		return s.fault("CreateAPIObject", err)
	})
}

// UpdateAPIObject replaces an object's document if it is still at version.
func (s *APIGateway) UpdateAPIObject(ctx context.Context, o store.APIObject, version int64) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.updateObj.in(ctx, tx).ExecContext(ctx, o.Doc, string(o.Kind), o.Account, o.Parent, o.ID, version)
		if err != nil {
			return s.fault("UpdateAPIObject", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		if _, err := scanAPIObject(s.st.obj.in(ctx, tx).QueryRowContext(ctx, string(o.Kind), o.Account, o.Parent, o.ID)); err != nil {
			return s.fault("UpdateAPIObject", err)
		}
		return &store.Error{Op: "apigateway.UpdateAPIObject", Kind: store.ErrConflict}
	})
}

// APIObject reads one object.
func (s *APIGateway) APIObject(ctx context.Context, kind store.APIKind, account, parent, id string) (store.APIObject, error) {
	var o store.APIObject
	var err error
	if account == "" {
		o, err = scanAPIObject(s.st.objAny.ps.QueryRowContext(ctx, string(kind), parent, id))
	} else {
		o, err = scanAPIObject(s.st.obj.ps.QueryRowContext(ctx, string(kind), account, parent, id))
	}
	return o, s.fault("APIObject", err)
}

// APIObjects lists objects of a kind under a parent.
func (s *APIGateway) APIObjects(ctx context.Context, kind store.APIKind, account, parent string) ([]store.APIObject, error) {
	rows, err := s.st.objs.ps.QueryContext(ctx, account, string(kind), parent)
	out, err := collect(rows, err, 0, scanAPIObject)
	return out, s.fault("APIObjects", err)
}

// DeleteAPIObject removes an object with what hangs under it.
func (s *APIGateway) DeleteAPIObject(ctx context.Context, kind store.APIKind, account, parent, id string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteObj.in(ctx, tx).ExecContext(ctx, string(kind), account, parent, id)
		if err != nil {
			return s.fault("DeleteAPIObject", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "apigateway.DeleteAPIObject", Kind: store.ErrNotFound}
		}
		switch kind {
		case store.KindRestAPI:
			_, err = s.st.deleteChildren.in(ctx, tx).ExecContext(ctx, account, id)
		case store.KindUsagePlan:
			if _, err = s.st.deletePlanKeys.in(ctx, tx).ExecContext(ctx, account, id); err == nil {
				if _, err = s.st.deletePlanQuota.in(ctx, tx).ExecContext(ctx, id); err == nil {
					_, err = s.st.deletePlanDays.in(ctx, tx).ExecContext(ctx, id)
				}
			}
		}
		return s.fault("DeleteAPIObject", err)
	})
}

// CreateAPIKey stores a key.
func (s *APIGateway) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createKey.in(ctx, tx).ExecContext(ctx, k.Account, k.ID, k.Value, boolInt(k.Enabled), k.Doc, nanos(k.Created))
		return s.fault("CreateAPIKey", err)
	})
}

// UpdateAPIKey changes a key's state and document (its value never changes).
func (s *APIGateway) UpdateAPIKey(ctx context.Context, k store.APIKey) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.updateKey.in(ctx, tx).ExecContext(ctx, boolInt(k.Enabled), k.Doc, k.Account, k.ID)
		return s.affected("UpdateAPIKey", res, err)
	})
}

// APIKey reads a key by id.
func (s *APIGateway) APIKey(ctx context.Context, account, id string) (store.APIKey, error) {
	k, err := scanAPIKey(s.st.key.ps.QueryRowContext(ctx, account, id))
	return k, s.fault("APIKey", err)
}

// APIKeyByValue reads a key by value.
func (s *APIGateway) APIKeyByValue(ctx context.Context, account, value string) (store.APIKey, error) {
	k, err := scanAPIKey(s.st.keyByValue.ps.QueryRowContext(ctx, account, value))
	return k, s.fault("APIKeyByValue", err)
}

// APIKeys lists an account's keys by id.
func (s *APIGateway) APIKeys(ctx context.Context, account string) ([]store.APIKey, error) {
	rows, err := s.st.keys.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanAPIKey)
	return out, s.fault("APIKeys", err)
}

// DeleteAPIKey removes a key from the account and from its plans.
func (s *APIGateway) DeleteAPIKey(ctx context.Context, account, id string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteKey.in(ctx, tx).ExecContext(ctx, account, id)
		if err := s.affected("DeleteAPIKey", res, err); err != nil {
			return err
		}
		_, err = s.st.deleteKeyPlans.in(ctx, tx).ExecContext(ctx, account, id)
		return s.fault("DeleteAPIKey", err)
	})
}

// AddUsagePlanKey puts a key in a plan.
func (s *APIGateway) AddUsagePlanKey(ctx context.Context, account, planID, keyID string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.addPlanKey.in(ctx, tx).ExecContext(ctx, account, planID, keyID)
		return s.fault("AddUsagePlanKey", err)
	})
}

// RemoveUsagePlanKey takes a key out of a plan.
func (s *APIGateway) RemoveUsagePlanKey(ctx context.Context, account, planID, keyID string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.removePlanKey.in(ctx, tx).ExecContext(ctx, account, planID, keyID)
		return s.affected("RemoveUsagePlanKey", res, err)
	})
}

func (s *APIGateway) ids(ctx context.Context, op string, st *stmt, args ...any) ([]string, error) {
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	return out, s.fault(op, err)
}

// UsagePlanKeys lists the keys of a plan.
func (s *APIGateway) UsagePlanKeys(ctx context.Context, account, planID string) ([]string, error) {
	return s.ids(ctx, "UsagePlanKeys", s.st.planKeys, account, planID)
}

// KeyUsagePlans lists the plans a key is in.
func (s *APIGateway) KeyUsagePlans(ctx context.Context, account, keyID string) ([]string, error) {
	return s.ids(ctx, "KeyUsagePlans", s.st.keyPlans, account, keyID)
}

// ConsumeQuota counts a request against a period's limit, and on its day.
func (s *APIGateway) ConsumeQuota(ctx context.Context, planID, keyID, period, day string, limit int64) (used int64, ok bool, err error) {
	err = s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		used, ok = 0, false
		rows, err := s.st.consume.in(ctx, tx).QueryContext(ctx, planID, keyID, period, limit)
		got, err := collect(rows, err, 1, func(r scanner) (int64, error) {
			var n int64
			return n, r.Scan(&n)
		})
		if err != nil || len(got) == 0 {
			return s.fault("ConsumeQuota", err)
		}
		used, ok = got[0], true
		_, err = s.st.countDay.in(ctx, tx).ExecContext(ctx, planID, keyID, day)
		return s.fault("ConsumeQuota", err)
	})
	return used, ok, err
}

// AddUsage adds n to a day's count.
func (s *APIGateway) AddUsage(ctx context.Context, planID, keyID, day string, n int64) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.addDay.in(ctx, tx).ExecContext(ctx, planID, keyID, day, n, n)
		return s.fault("AddUsage", err)
	})
}

// GrantQuota adds n requests to a period's allowance.
func (s *APIGateway) GrantQuota(ctx context.Context, planID, keyID, period string, n int64) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.grant.in(ctx, tx).ExecContext(ctx, planID, keyID, period, n, n)
		return s.fault("GrantQuota", err)
	})
}

// QuotaUsed reads a period's count and grant (zero when nothing was counted).
func (s *APIGateway) QuotaUsed(ctx context.Context, planID, keyID, period string) (used, granted int64, err error) {
	err = s.st.quota.ps.QueryRowContext(ctx, planID, keyID, period).Scan(&used, &granted)
	if err = s.fault("QuotaUsed", err); errors.Is(err, store.ErrNotFound) {
		return 0, 0, nil
	}
	return used, granted, err
}

// DailyUsage lists a plan's counts per key and day.
func (s *APIGateway) DailyUsage(ctx context.Context, planID, fromDay, toDay string) ([]store.DailyUsage, error) {
	rows, err := s.st.usage.ps.QueryContext(ctx, planID, fromDay, toDay)
	out, err := collect(rows, err, 0, func(r scanner) (store.DailyUsage, error) {
		var u store.DailyUsage
		return u, r.Scan(&u.KeyID, &u.Day, &u.Used)
	})
	return out, s.fault("DailyUsage", err)
}

// affected is the fault of an exec that must touch a row: ErrNotFound when it touched none.
func (s *APIGateway) affected(op string, res sql.Result, err error) error {
	if err != nil {
		return s.fault(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &store.Error{Op: "apigateway." + op, Kind: store.ErrNotFound}
	}
	return nil
}
