package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/gureum/gureum/internal/store"
)

const versionColumns = `account_id, function, version, config, code_ref, code_sha256, code_size, revision_id, modified_at`

var _ store.Functions = (*Functions)(nil)

// Functions implements store.Functions.
type Functions struct {
	base
	st struct {
		createFunction, putFunction, insertVersion, updateVersion, takeVersionNumber, deleteFunction *stmt
		deleteVersions, deleteAliases, deleteVersion, codeRefs, codeRefUsers, insertAlias            *stmt
		updateAlias, deleteAlias                                                                     *stmt
		function, version, listFunctions, listVersions, alias, listAliases                           *stmt
	}
	set settingStmts
}

func newFunctions(b base) *Functions {
	s := &Functions{base: b.of("functions")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createFunction = w("createFunction", `INSERT INTO functions (account_id, name, tags, reserved, next_version, created_at) VALUES (?, ?, ?, ?, 1, ?)`)
	s.st.putFunction = w("putFunction", `UPDATE functions SET tags = ?, reserved = ? WHERE account_id = ? AND name = ?`)
	s.st.insertVersion = w("insertVersion", `INSERT INTO function_versions (`+versionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.updateVersion = w("updateVersion", `UPDATE function_versions SET config = ?, code_ref = ?, code_sha256 = ?, code_size = ?, revision_id = ?, modified_at = ?
		WHERE account_id = ? AND function = ? AND version = ?`)
	s.st.takeVersionNumber = w("takeVersionNumber", `UPDATE functions SET next_version = next_version + 1 WHERE account_id = ? AND name = ? RETURNING next_version - 1`)
	s.st.deleteFunction = w("deleteFunction", `DELETE FROM functions WHERE account_id = ? AND name = ?`)
	s.st.deleteVersions = w("deleteVersions", `DELETE FROM function_versions WHERE account_id = ? AND function = ?`)
	s.st.deleteAliases = w("deleteAliases", `DELETE FROM function_aliases WHERE account_id = ? AND function = ?`)
	s.st.deleteVersion = w("deleteVersion", `DELETE FROM function_versions WHERE account_id = ? AND function = ? AND version = ? RETURNING code_ref`)
	s.st.codeRefs = w("codeRefs", `SELECT DISTINCT code_ref FROM function_versions WHERE account_id = ? AND function = ?`)
	s.st.codeRefUsers = w("codeRefUsers", `SELECT COUNT(*) FROM function_versions WHERE code_ref = ?`)
	s.st.insertAlias = w("insertAlias", `INSERT INTO function_aliases (account_id, function, name, config, revision_id) VALUES (?, ?, ?, ?, ?)`)
	s.st.updateAlias = w("updateAlias", `UPDATE function_aliases SET config = ?, revision_id = ? WHERE account_id = ? AND function = ? AND name = ?`)
	s.st.deleteAlias = w("deleteAlias", `DELETE FROM function_aliases WHERE account_id = ? AND function = ? AND name = ?`)
	s.st.function = r("function", `SELECT account_id, name, tags, reserved, created_at FROM functions WHERE account_id = ? AND name = ?`)
	s.st.version = r("version", `SELECT `+versionColumns+` FROM function_versions WHERE account_id = ? AND function = ? AND version = ?`)
	s.st.listFunctions = r("listFunctions", `SELECT `+versionColumns+` FROM function_versions WHERE account_id = ? AND version = '$LATEST' AND function > ? ORDER BY function LIMIT ?`)
	s.st.listVersions = r("listVersions", `SELECT `+versionColumns+` FROM function_versions WHERE account_id = ? AND function = ?`)
	s.st.alias = r("alias", `SELECT account_id, function, name, config, revision_id FROM function_aliases WHERE account_id = ? AND function = ? AND name = ?`)
	s.st.listAliases = r("listAliases", `SELECT account_id, function, name, config, revision_id FROM function_aliases WHERE account_id = ? AND function = ? ORDER BY name`)
	s.prepareSettings()
	return s
}

func (s *Functions) ffault(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.d.Fault("functions."+op, err)
}

func notFound(op string) error { return &store.Error{Op: "functions." + op, Kind: store.ErrNotFound} }

func affected(res sql.Result, err error, op string) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(op)
	}
	return nil
}

// CreateFunction stores a function and its $LATEST version.
func (s *Functions) CreateFunction(ctx context.Context, f store.Function, v store.FunctionVersion) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createFunction.in(ctx, tx).ExecContext(ctx, f.Account, f.Name, encodeMap(f.Tags), f.ReservedConcurrency, nanos(f.Created))
		if err != nil {
			return s.ffault("CreateFunction", err)
		}
		return s.ffault("CreateFunction", s.insertVersion(ctx, tx, v))
	})
}

func (s *Functions) insertVersion(ctx context.Context, tx Tx, v store.FunctionVersion) error {
	_, err := s.st.insertVersion.in(ctx, tx).ExecContext(ctx, v.Account, v.Function, v.Version, v.Config, v.CodeRef,
		v.CodeSha256, v.CodeSize, v.RevisionID, nanos(v.Modified))
	return err
}

// Function reads a function's own record.
func (s *Functions) Function(ctx context.Context, account, name string) (store.Function, error) {
	var f store.Function
	var tags string
	var created int64
	err := s.st.function.ps.QueryRowContext(ctx, account, name).Scan(&f.Account, &f.Name, &tags, &f.ReservedConcurrency, &created)
	if err != nil {
		return store.Function{}, s.ffault("Function", err)
	}
	f.Tags, f.Created = decodeMap(tags), fromNanos(created)
	return f, nil
}

// PutFunction replaces a function's tags and reserved concurrency.
func (s *Functions) PutFunction(ctx context.Context, f store.Function) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.putFunction.in(ctx, tx).ExecContext(ctx, encodeMap(f.Tags), f.ReservedConcurrency, f.Account, f.Name)
		return s.ffault("PutFunction", affected(res, err, "PutFunction"))
	})
}

func scanVersion(row scanner) (store.FunctionVersion, error) {
	var v store.FunctionVersion
	var modified int64
	err := row.Scan(&v.Account, &v.Function, &v.Version, &v.Config, &v.CodeRef, &v.CodeSha256, &v.CodeSize, &v.RevisionID, &modified)
	v.Modified = fromNanos(modified)
	return v, err
}

// ListFunctions lists $LATEST of each function by name.
func (s *Functions) ListFunctions(ctx context.Context, account, after string, limit int) ([]store.FunctionVersion, error) {
	rows, err := s.st.listFunctions.ps.QueryContext(ctx, account, after, limit)
	out, err := collect(rows, err, 0, scanVersion)
	return out, s.ffault("ListFunctions", err)
}

// DeleteFunction removes a function, its versions and aliases, returning its code refs.
func (s *Functions) DeleteFunction(ctx context.Context, account, name string) ([]string, error) {
	var refs []string
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		rows, err := s.st.codeRefs.in(ctx, tx).QueryContext(ctx, account, name)
		refs, err = collect(rows, err, 0, func(r scanner) (string, error) {
			var ref string
			return ref, r.Scan(&ref)
		})
		if err != nil {
			return s.ffault("DeleteFunction", err)
		}
		res, err := s.st.deleteFunction.in(ctx, tx).ExecContext(ctx, account, name)
		if err = affected(res, err, "DeleteFunction"); err != nil {
			return s.ffault("DeleteFunction", err)
		}
		for _, st := range []*stmt{s.st.deleteVersions, s.st.deleteAliases, s.set.deleteSettings} {
			if _, err := st.in(ctx, tx).ExecContext(ctx, account, name); err != nil {
				return s.ffault("DeleteFunction", err)
			}
		}
		return nil
	})
	return refs, err
}

// FunctionVersion reads one version.
func (s *Functions) FunctionVersion(ctx context.Context, account, name, version string) (store.FunctionVersion, error) {
	v, err := scanVersion(s.st.version.ps.QueryRowContext(ctx, account, name, version))
	return v, s.ffault("FunctionVersion", err)
}

// PutFunctionVersion replaces an existing version.
func (s *Functions) PutFunctionVersion(ctx context.Context, v store.FunctionVersion) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.updateVersion.in(ctx, tx).ExecContext(ctx, v.Config, v.CodeRef, v.CodeSha256, v.CodeSize, v.RevisionID,
			nanos(v.Modified), v.Account, v.Function, v.Version)
		return s.ffault("PutFunctionVersion", affected(res, err, "PutFunctionVersion"))
	})
}

// PublishFunctionVersion stores v under the function's next version number.
func (s *Functions) PublishFunctionVersion(ctx context.Context, v store.FunctionVersion) (store.FunctionVersion, error) {
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var n int64
		if err := s.st.takeVersionNumber.in(ctx, tx).QueryRowContext(ctx, v.Account, v.Function).Scan(&n); err != nil {
			return s.ffault("PublishFunctionVersion", err)
		}
		v.Version = strconv.FormatInt(n, 10)
		return s.ffault("PublishFunctionVersion", s.insertVersion(ctx, tx, v))
	})
	return v, err
}

// ListFunctionVersions lists a function's versions, $LATEST first, then by number.
func (s *Functions) ListFunctionVersions(ctx context.Context, account, name string) ([]store.FunctionVersion, error) {
	rows, err := s.st.listVersions.ps.QueryContext(ctx, account, name)
	out, err := collect(rows, err, 0, scanVersion)
	if err != nil {
		return nil, s.ffault("ListFunctionVersions", err)
	}
	sortVersions(out)
	return out, nil
}

func sortVersions(vs []store.FunctionVersion) {
	key := func(v string) int64 {
		if v == "$LATEST" {
			return -1
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && key(vs[j].Version) < key(vs[j-1].Version); j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}

// DeleteFunctionVersion removes one version, returning its code ref if no other version uses it.
func (s *Functions) DeleteFunctionVersion(ctx context.Context, account, name, version string) (string, error) {
	var freed string
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var ref string
		if err := s.st.deleteVersion.in(ctx, tx).QueryRowContext(ctx, account, name, version).Scan(&ref); err != nil {
			return s.ffault("DeleteFunctionVersion", err)
		}
		var users int
		if err := s.st.codeRefUsers.in(ctx, tx).QueryRowContext(ctx, ref).Scan(&users); err != nil {
			return s.ffault("DeleteFunctionVersion", err)
		}
		if users == 0 {
			freed = ref
		}
		return nil
	})
	return freed, err
}

// PutFunctionAlias creates or replaces an alias.
func (s *Functions) PutFunctionAlias(ctx context.Context, a store.FunctionAlias, create bool) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		if create {
			_, err := s.st.insertAlias.in(ctx, tx).ExecContext(ctx, a.Account, a.Function, a.Name, a.Config, a.RevisionID)
			return s.ffault("PutFunctionAlias", err)
		}
		res, err := s.st.updateAlias.in(ctx, tx).ExecContext(ctx, a.Config, a.RevisionID, a.Account, a.Function, a.Name)
		return s.ffault("PutFunctionAlias", affected(res, err, "PutFunctionAlias"))
	})
}

func scanAlias(row scanner) (store.FunctionAlias, error) {
	var a store.FunctionAlias
	return a, row.Scan(&a.Account, &a.Function, &a.Name, &a.Config, &a.RevisionID)
}

// FunctionAlias reads one alias.
func (s *Functions) FunctionAlias(ctx context.Context, account, function, name string) (store.FunctionAlias, error) {
	a, err := scanAlias(s.st.alias.ps.QueryRowContext(ctx, account, function, name))
	return a, s.ffault("FunctionAlias", err)
}

// ListFunctionAliases lists a function's aliases by name.
func (s *Functions) ListFunctionAliases(ctx context.Context, account, function string) ([]store.FunctionAlias, error) {
	rows, err := s.st.listAliases.ps.QueryContext(ctx, account, function)
	out, err := collect(rows, err, 0, scanAlias)
	return out, s.ffault("ListFunctionAliases", err)
}

// DeleteFunctionAlias removes an alias.
func (s *Functions) DeleteFunctionAlias(ctx context.Context, account, function, name string) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteAlias.in(ctx, tx).ExecContext(ctx, account, function, name)
		return s.ffault("DeleteFunctionAlias", affected(res, err, "DeleteFunctionAlias"))
	})
}
