package sqlstore

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

// settingStmts are the statements of store.FunctionSettings (migration 0065).
type settingStmts struct {
	upsertSetting, insertSetting, updateSetting, deleteSetting, deleteSettings *stmt
	setting, listSettings                                                      *stmt
	insertMapping, updateMapping, deleteMapping                                *stmt
	mapping, listMappings, listAllMappings                                     *stmt
}

const mappingColumns = `uuid, account_id, function, source_arn, config, modified_at`

func (s *Functions) prepareSettings() {
	w, r := s.stmts.w, s.stmts.r
	s.set.upsertSetting = w("upsertSetting", `INSERT INTO function_settings (account_id, function, kind, name, config, modified_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, function, kind, name) DO UPDATE SET config = excluded.config, modified_at = excluded.modified_at`)
	s.set.insertSetting = w("insertSetting", `INSERT INTO function_settings (account_id, function, kind, name, config, modified_at) VALUES (?, ?, ?, ?, ?, ?)`)
	s.set.updateSetting = w("updateSetting", `UPDATE function_settings SET config = ?, modified_at = ? WHERE account_id = ? AND function = ? AND kind = ? AND name = ?`)
	s.set.deleteSetting = w("deleteSetting", `DELETE FROM function_settings WHERE account_id = ? AND function = ? AND kind = ? AND name = ?`)
	s.set.deleteSettings = w("deleteSettings", `DELETE FROM function_settings WHERE account_id = ? AND function = ?`)
	s.set.setting = r("setting", `SELECT account_id, function, kind, name, config, modified_at FROM function_settings WHERE account_id = ? AND function = ? AND kind = ? AND name = ?`)
	s.set.listSettings = r("listSettings", `SELECT account_id, function, kind, name, config, modified_at FROM function_settings WHERE account_id = ? AND function = ? AND kind = ? ORDER BY name`)
	s.set.insertMapping = w("insertMapping", `INSERT INTO event_source_mappings (`+mappingColumns+`) VALUES (?, ?, ?, ?, ?, ?)`)
	s.set.updateMapping = w("updateMapping", `UPDATE event_source_mappings SET function = ?, source_arn = ?, config = ?, modified_at = ? WHERE uuid = ?`)
	s.set.deleteMapping = w("deleteMapping", `DELETE FROM event_source_mappings WHERE uuid = ?`)
	s.set.mapping = r("mapping", `SELECT `+mappingColumns+` FROM event_source_mappings WHERE uuid = ?`)
	s.set.listMappings = r("listMappings", `SELECT `+mappingColumns+` FROM event_source_mappings WHERE account_id = ? AND uuid > ? ORDER BY uuid LIMIT ?`)
	s.set.listAllMappings = r("listAllMappings", `SELECT `+mappingColumns+` FROM event_source_mappings WHERE uuid > ? ORDER BY uuid LIMIT ?`)
}

func scanSetting(row scanner) (store.FunctionSetting, error) {
	var v store.FunctionSetting
	var modified int64
	err := row.Scan(&v.Account, &v.Function, &v.Kind, &v.Name, &v.Config, &modified)
	v.Modified = fromNanos(modified)
	return v, err
}

func scanMapping(row scanner) (store.EventSourceMapping, error) {
	var m store.EventSourceMapping
	var modified int64
	err := row.Scan(&m.UUID, &m.Account, &m.Function, &m.SourceARN, &m.Config, &modified)
	m.Modified = fromNanos(modified)
	return m, err
}

// PutFunctionSetting creates, replaces or upserts a setting.
func (s *Functions) PutFunctionSetting(ctx context.Context, v store.FunctionSetting, mode store.PutMode) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		switch mode {
		case store.PutCreate:
			_, err := s.set.insertSetting.in(ctx, tx).ExecContext(ctx, v.Account, v.Function, v.Kind, v.Name, v.Config, nanos(v.Modified))
			return s.ffault("PutFunctionSetting", err)
		case store.PutReplace:
			res, err := s.set.updateSetting.in(ctx, tx).ExecContext(ctx, v.Config, nanos(v.Modified), v.Account, v.Function, v.Kind, v.Name)
			return s.ffault("PutFunctionSetting", affected(res, err, "PutFunctionSetting"))
		}
		_, err := s.set.upsertSetting.in(ctx, tx).ExecContext(ctx, v.Account, v.Function, v.Kind, v.Name, v.Config, nanos(v.Modified))
		return s.ffault("PutFunctionSetting", err)
	})
}

// FunctionSetting reads one setting.
func (s *Functions) FunctionSetting(ctx context.Context, account, function, kind, name string) (store.FunctionSetting, error) {
	v, err := scanSetting(s.set.setting.ps.QueryRowContext(ctx, account, function, kind, name))
	return v, s.ffault("FunctionSetting", err)
}

// ListFunctionSettings lists a function's settings of a kind by name.
func (s *Functions) ListFunctionSettings(ctx context.Context, account, function, kind string) ([]store.FunctionSetting, error) {
	rows, err := s.set.listSettings.ps.QueryContext(ctx, account, function, kind)
	out, err := collect(rows, err, 0, scanSetting)
	return out, s.ffault("ListFunctionSettings", err)
}

// DeleteFunctionSetting removes one setting.
func (s *Functions) DeleteFunctionSetting(ctx context.Context, account, function, kind, name string) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.set.deleteSetting.in(ctx, tx).ExecContext(ctx, account, function, kind, name)
		return s.ffault("DeleteFunctionSetting", affected(res, err, "DeleteFunctionSetting"))
	})
}

// CreateEventSourceMapping stores a new mapping.
func (s *Functions) CreateEventSourceMapping(ctx context.Context, m store.EventSourceMapping) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.set.insertMapping.in(ctx, tx).ExecContext(ctx, m.UUID, m.Account, m.Function, m.SourceARN, m.Config, nanos(m.Modified))
		return s.ffault("CreateEventSourceMapping", err)
	})
}

// EventSourceMapping reads a mapping by UUID.
func (s *Functions) EventSourceMapping(ctx context.Context, uuid string) (store.EventSourceMapping, error) {
	m, err := scanMapping(s.set.mapping.ps.QueryRowContext(ctx, uuid))
	return m, s.ffault("EventSourceMapping", err)
}

// PutEventSourceMapping replaces a mapping.
func (s *Functions) PutEventSourceMapping(ctx context.Context, m store.EventSourceMapping) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.set.updateMapping.in(ctx, tx).ExecContext(ctx, m.Function, m.SourceARN, m.Config, nanos(m.Modified), m.UUID)
		return s.ffault("PutEventSourceMapping", affected(res, err, "PutEventSourceMapping"))
	})
}

// DeleteEventSourceMapping removes a mapping.
func (s *Functions) DeleteEventSourceMapping(ctx context.Context, uuid string) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.set.deleteMapping.in(ctx, tx).ExecContext(ctx, uuid)
		return s.ffault("DeleteEventSourceMapping", affected(res, err, "DeleteEventSourceMapping"))
	})
}

// ListEventSourceMappings lists an account's mappings (every account's when account is empty).
func (s *Functions) ListEventSourceMappings(ctx context.Context, account, after string, limit int) ([]store.EventSourceMapping, error) {
	var out []store.EventSourceMapping
	var err error
	if account == "" {
		rows, qerr := s.set.listAllMappings.ps.QueryContext(ctx, after, limit)
		out, err = collect(rows, qerr, 0, scanMapping)
	} else {
		rows, qerr := s.set.listMappings.ps.QueryContext(ctx, account, after, limit)
		out, err = collect(rows, qerr, 0, scanMapping)
	}
	return out, s.ffault("ListEventSourceMappings", err)
}
