package lambda

// Layers: each layer version is a settings document (store.FunctionSettings) of the pseudo
// function "layer:<name>" (function names cannot hold a colon), kind "layer-version", named by
// its zero-padded number; the account's layers are documents of "$layers", kind "layer", one per
// name, holding the latest version. Layer zips are blobs like function code; a function's layers
// are unpacked in order into one directory per combination, shown read-only at /opt.

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/store"
)

const (
	settingLayerVersion = "layer-version"
	settingLayer        = "layer"
	layersIndex         = "$layers"
	maxLayers           = 5
)

var layerNameRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

// LayerVersionContentInput is a layer's code.
type LayerVersionContentInput struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
}

// LayerVersionContentOutput describes a layer version's code.
type LayerVersionContentOutput struct {
	Location   string `json:"Location,omitempty"`
	CodeSha256 string `json:"CodeSha256"`
	CodeSize   int64  `json:"CodeSize"`
}

// PublishLayerVersionInput publishes a layer version.
type PublishLayerVersionInput struct {
	LayerName               string `rest:"uri=LayerName" json:"-"`
	Description             string
	Content                 *LayerVersionContentInput
	CompatibleRuntimes      []string
	CompatibleArchitectures []string
	LicenseInfo             string
}

// LayerVersion is a layer version as the API reports it (and the store keeps it, with its code
// ref and permissions).
type LayerVersion struct {
	Status                  int                        `rest:"status" json:"-"`
	Content                 *LayerVersionContentOutput `json:"Content,omitempty"`
	LayerArn                string                     `json:"LayerArn"`
	LayerVersionArn         string                     `json:"LayerVersionArn"`
	Description             string                     `json:"Description"`
	CreatedDate             string                     `json:"CreatedDate"`
	Version                 int64                      `json:"Version"`
	CompatibleRuntimes      []string                   `json:"CompatibleRuntimes,omitempty"`
	CompatibleArchitectures []string                   `json:"CompatibleArchitectures,omitempty"`
	LicenseInfo             string                     `json:"LicenseInfo,omitempty"`
	CodeRef                 string                     `json:"-"`
}

// storedLayer is a layer version's document.
type storedLayer struct {
	LayerVersion
	Ref        string            `json:"ref"`
	Statements []json.RawMessage `json:"statements,omitempty"`
	Revision   string            `json:"revision,omitempty"`
}

// LayerVersionRef names a layer version.
type LayerVersionRef struct {
	LayerName     string `rest:"uri=LayerName" json:"-"`
	VersionNumber int64  `rest:"uri=VersionNumber" json:"-"`
}

// LayerByArnInput names a layer version by ARN.
type LayerByArnInput struct {
	Arn string `rest:"query=Arn" json:"-"`
}

// ListLayerVersionsInput pages a layer's versions.
type ListLayerVersionsInput struct {
	LayerName         string `rest:"uri=LayerName" json:"-"`
	CompatibleRuntime string `rest:"query=CompatibleRuntime" json:"-"`
	Marker            string `rest:"query=Marker" json:"-"`
	MaxItems          int    `rest:"query=MaxItems" json:"-"`
}

// ListLayerVersionsOutput is a page of versions.
type ListLayerVersionsOutput struct {
	LayerVersions []*LayerVersion `json:"LayerVersions"`
	NextMarker    string          `json:"NextMarker,omitempty"`
}

// ListLayersInput pages the account's layers.
type ListLayersInput struct {
	CompatibleRuntime string `rest:"query=CompatibleRuntime" json:"-"`
	Marker            string `rest:"query=Marker" json:"-"`
	MaxItems          int    `rest:"query=MaxItems" json:"-"`
}

// LayersListItem is a layer with its latest version.
type LayersListItem struct {
	LayerName             string        `json:"LayerName"`
	LayerArn              string        `json:"LayerArn"`
	LatestMatchingVersion *LayerVersion `json:"LatestMatchingVersion"`
}

// ListLayersOutput is a page of layers.
type ListLayersOutput struct {
	Layers     []*LayersListItem `json:"Layers"`
	NextMarker string            `json:"NextMarker,omitempty"`
}

func (s *Service) layerARN(acct, name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + acct + ":layer:" + name
}

func layerKey(v int64) string { return fmt.Sprintf("%010d", v) }

func checkLayerName(name string) error {
	if !layerNameRE.MatchString(name) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", name)
	}
	return nil
}

// PublishLayerVersion stores a new version of a layer.
func (s *Service) PublishLayerVersion(ctx context.Context, in *PublishLayerVersionInput) (*LayerVersion, error) {
	if err := checkLayerName(in.LayerName); err != nil {
		return nil, err
	}
	if in.Content == nil {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null")
	}
	for _, rt := range in.CompatibleRuntimes {
		if _, ok := served[rt]; !ok && !knownRuntime(rt) {
			return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '[%s]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set", rt)
		}
	}
	zipFile, err := s.codeZip(ctx, &FunctionCode{ZipFile: in.Content.ZipFile, S3Bucket: in.Content.S3Bucket, S3Key: in.Content.S3Key, S3ObjectVersion: in.Content.S3ObjectVersion})
	if err != nil {
		return nil, err
	}
	codeRef, size, sum, err := s.putCode(ctx, zipFile)
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	next := int64(1)
	if idx, err := s.cfg.Store.FunctionSetting(ctx, acct, layersIndex, settingLayer, in.LayerName); err == nil {
		var latest LayerVersion
		if json.Unmarshal(idx.Config, &latest) == nil {
			next = latest.Version + 1
		}
	}
	now := s.cfg.Now()
	lv := LayerVersion{LayerArn: s.layerARN(acct, in.LayerName), Description: in.Description, CreatedDate: lastModified(now), Version: next,
		CompatibleRuntimes: in.CompatibleRuntimes, CompatibleArchitectures: in.CompatibleArchitectures, LicenseInfo: in.LicenseInfo,
		Content: &LayerVersionContentOutput{CodeSha256: sum, CodeSize: size}}
	lv.LayerVersionArn = lv.LayerArn + ":" + strconv.FormatInt(next, 10)
	doc, _ := json.Marshal(storedLayer{LayerVersion: lv, Ref: codeRef})
	if err := s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: acct, Function: "layer:" + in.LayerName, Kind: settingLayerVersion,
		Name: layerKey(next), Config: doc, Modified: now}, store.PutCreate); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, ErrResourceConflict.Errorf("Layer version %s is being published concurrently; try again.", lv.LayerVersionArn)
		}
		return nil, err
	}
	idx, _ := json.Marshal(lv)
	if err := s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: acct, Function: layersIndex, Kind: settingLayer,
		Name: in.LayerName, Config: idx, Modified: now}, store.PutUpsert); err != nil {
		return nil, err
	}
	lv.Content.Location = s.codeURL(codeRef)
	lv.Status = http.StatusCreated
	return &lv, nil
}

func knownRuntime(rt string) bool {
	return strings.HasPrefix(rt, "python") || strings.HasPrefix(rt, "nodejs") || strings.HasPrefix(rt, "provided") ||
		strings.HasPrefix(rt, "java") || strings.HasPrefix(rt, "dotnet") || strings.HasPrefix(rt, "ruby") || strings.HasPrefix(rt, "go")
}

// layerVersion reads a stored layer version.
func (s *Service) layerVersion(ctx context.Context, acct, name string, version int64) (*storedLayer, error) {
	set, err := s.cfg.Store.FunctionSetting(ctx, acct, "layer:"+name, settingLayerVersion, layerKey(version))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf("The resource you requested does not exist.")
	}
	if err != nil {
		return nil, err
	}
	var l storedLayer
	if err := json.Unmarshal(set.Config, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetLayerVersion returns a layer version with a link to its code.
func (s *Service) GetLayerVersion(ctx context.Context, in *LayerVersionRef) (*LayerVersion, error) {
	if err := checkLayerName(in.LayerName); err != nil {
		return nil, err
	}
	l, err := s.layerVersion(ctx, account(ctx), in.LayerName, in.VersionNumber)
	if err != nil {
		return nil, err
	}
	out := l.LayerVersion
	c := *out.Content
	c.Location = s.codeURL(l.Ref)
	out.Content = &c
	return &out, nil
}

// parseLayerVersionARN splits arn:aws:lambda:region:account:layer:name:version.
func parseLayerVersionARN(arn string) (acct, name string, version int64, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) != 8 || p[0] != "arn" || p[2] != "lambda" || p[5] != "layer" || !layerNameRE.MatchString(p[6]) {
		return "", "", 0, false
	}
	v, err := strconv.ParseInt(p[7], 10, 64)
	if err != nil || v < 1 {
		return "", "", 0, false
	}
	return p[4], p[6], v, true
}

// GetLayerVersionByArn returns a layer version named by ARN.
func (s *Service) GetLayerVersionByArn(ctx context.Context, in *LayerByArnInput) (*LayerVersion, error) {
	acct, name, v, ok := parseLayerVersionARN(in.Arn)
	if !ok {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+", in.Arn)
	}
	if acct != account(ctx) {
		return nil, awserr.New(awserr.AccessDenied, "User is not authorized to access layer %s in another account.", in.Arn)
	}
	return s.GetLayerVersion(ctx, &LayerVersionRef{LayerName: name, VersionNumber: v})
}

// DeleteLayerVersion removes a layer version (functions that use it keep their copy).
func (s *Service) DeleteLayerVersion(ctx context.Context, in *LayerVersionRef) (*EmptyOutput, error) {
	if err := checkLayerName(in.LayerName); err != nil {
		return nil, err
	}
	acct := account(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.cfg.Store.DeleteFunctionSetting(ctx, acct, "layer:"+in.LayerName, settingLayerVersion, layerKey(in.VersionNumber))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err == nil { // the index keeps the latest version left, or goes
		left, lerr := s.cfg.Store.ListFunctionSettings(ctx, acct, "layer:"+in.LayerName, settingLayerVersion)
		if lerr != nil {
			return nil, lerr
		}
		if len(left) == 0 {
			s.cfg.Store.DeleteFunctionSetting(ctx, acct, layersIndex, settingLayer, in.LayerName)
		} else {
			var l storedLayer
			if json.Unmarshal(left[len(left)-1].Config, &l) == nil {
				idx, _ := json.Marshal(l.LayerVersion)
				s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: acct, Function: layersIndex, Kind: settingLayer,
					Name: in.LayerName, Config: idx, Modified: s.cfg.Now()}, store.PutUpsert)
			}
		}
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil // deleting what is gone succeeds, as on AWS
}

// ListLayerVersions lists a layer's versions, newest first.
func (s *Service) ListLayerVersions(ctx context.Context, in *ListLayerVersionsInput) (*ListLayerVersionsOutput, error) {
	if err := checkLayerName(in.LayerName); err != nil {
		return nil, err
	}
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, account(ctx), "layer:"+in.LayerName, settingLayerVersion)
	if err != nil {
		return nil, err
	}
	limit := in.MaxItems
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	out := &ListLayerVersionsOutput{LayerVersions: []*LayerVersion{}}
	for i := len(sets) - 1; i >= 0; i-- {
		if in.Marker != "" && sets[i].Name >= in.Marker {
			continue
		}
		var l storedLayer
		if err := json.Unmarshal(sets[i].Config, &l); err != nil {
			return nil, err
		}
		if in.CompatibleRuntime != "" && !contains(l.CompatibleRuntimes, in.CompatibleRuntime) {
			continue
		}
		if len(out.LayerVersions) == limit {
			out.NextMarker = layerKey(out.LayerVersions[limit-1].Version)
			break
		}
		lv := l.LayerVersion
		out.LayerVersions = append(out.LayerVersions, &lv)
	}
	return out, nil
}

// ListLayers lists the account's layers with their latest versions.
func (s *Service) ListLayers(ctx context.Context, in *ListLayersInput) (*ListLayersOutput, error) {
	sets, err := s.cfg.Store.ListFunctionSettings(ctx, account(ctx), layersIndex, settingLayer)
	if err != nil {
		return nil, err
	}
	limit := in.MaxItems
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	out := &ListLayersOutput{Layers: []*LayersListItem{}}
	for _, set := range sets {
		if in.Marker != "" && set.Name <= in.Marker {
			continue
		}
		var lv LayerVersion
		if err := json.Unmarshal(set.Config, &lv); err != nil {
			return nil, err
		}
		if in.CompatibleRuntime != "" && !contains(lv.CompatibleRuntimes, in.CompatibleRuntime) {
			continue
		}
		if len(out.Layers) == limit {
			out.NextMarker = out.Layers[limit-1].LayerName
			break
		}
		lv.Content = nil
		out.Layers = append(out.Layers, &LayersListItem{LayerName: set.Name, LayerArn: lv.LayerArn, LatestMatchingVersion: &lv})
	}
	return out, nil
}

// resolveLayers checks a configuration's layers (at most five, each an existing version of
// this account) and fills in their sizes.
func (s *Service) resolveLayers(ctx context.Context, c *FunctionConfiguration) error {
	if len(c.Layers) > maxLayers {
		return invalid("Cannot reference more than %d layers.", maxLayers)
	}
	for i, l := range c.Layers {
		stored, err := s.layerOf(ctx, l.Arn)
		if err != nil {
			return err
		}
		c.Layers[i].CodeSize = stored.Content.CodeSize
	}
	return nil
}

func (s *Service) layerOf(ctx context.Context, arn string) (*storedLayer, error) {
	acct, name, v, ok := parseLayerVersionARN(arn)
	if !ok {
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '[%s]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+]", arn)
	}
	l, err := s.layerVersion(ctx, acct, name, v)
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == ErrResourceNotFound {
			return nil, invalid("Layer version %s does not exist.", arn)
		}
		return nil, err
	}
	return l, nil
}

// unpackLayers unpacks a configuration's layers, in order (a later layer's files win), once per
// combination into DataDir/opt/<hash>, for /opt.
func (s *Service) unpackLayers(ctx context.Context, c *FunctionConfiguration) (string, error) {
	if len(c.Layers) == 0 {
		return "", nil
	}
	var layers []*storedLayer
	h := sha256.New()
	for _, l := range c.Layers {
		stored, err := s.layerOf(ctx, l.Arn)
		if err != nil {
			return "", err
		}
		layers = append(layers, stored)
		h.Write([]byte(stored.Content.CodeSha256 + "\n"))
	}
	root := filepath.Join(s.cfg.DataDir, "opt")
	dir := filepath.Join(root, hex.EncodeToString(h.Sum(nil)))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, "unpack-")
	if err != nil {
		return "", err
	}
	os.Chmod(tmp, 0o755)
	for _, l := range layers {
		if err := s.extractBlob(ctx, l.Ref, tmp); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// extractBlob unpacks a zip blob into dir.
func (s *Service) extractBlob(ctx context.Context, ref, dir string) error {
	rd, err := s.cfg.Blobs.Open(ctx, blob.Ref(ref))
	if err != nil {
		return fmt.Errorf("open layer: %w", err)
	}
	defer rd.Close()
	zr, err := zip.NewReader(rd, rd.Size())
	if err != nil {
		return err
	}
	return extract(zr, dir)
}

// AddLayerVersionPermissionInput grants use of a layer version.
type AddLayerVersionPermissionInput struct {
	LayerName      string `rest:"uri=LayerName" json:"-"`
	VersionNumber  int64  `rest:"uri=VersionNumber" json:"-"`
	RevisionId     string `rest:"query=RevisionId" json:"-"`
	StatementId    string
	Action         string
	Principal      string
	OrganizationId string
}

// AddLayerVersionPermissionOutput is the statement added.
type AddLayerVersionPermissionOutput struct {
	Status     int    `rest:"status" json:"-"`
	Statement  string `json:"Statement"`
	RevisionId string `json:"RevisionId"`
}

// LayerPolicyOutput is a layer version's policy.
type LayerPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

// RemoveLayerVersionPermissionInput removes a statement.
type RemoveLayerVersionPermissionInput struct {
	LayerName     string `rest:"uri=LayerName" json:"-"`
	VersionNumber int64  `rest:"uri=VersionNumber" json:"-"`
	StatementId   string `rest:"uri=StatementId" json:"-"`
	RevisionId    string `rest:"query=RevisionId" json:"-"`
}

var (
	statementIDRE = regexp.MustCompile(`^([a-zA-Z0-9-_]+)$`)
	principalRE   = regexp.MustCompile(`^(\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root)$`)
)

// changeLayerPolicy reads a layer version, applies fn to its statements and stores it with a new
// revision, when revision (if given) is the current one.
func (s *Service) changeLayerPolicy(ctx context.Context, name string, version int64, revision string, fn func(l *storedLayer) error) (*storedLayer, error) {
	if err := checkLayerName(name); err != nil {
		return nil, err
	}
	acct := account(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.layerVersion(ctx, acct, name, version)
	if err != nil {
		return nil, err
	}
	if revision != "" && revision != l.Revision {
		return nil, ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id")
	}
	if err := fn(l); err != nil {
		return nil, err
	}
	l.Revision = newRevision()
	doc, _ := json.Marshal(l)
	err = s.cfg.Store.PutFunctionSetting(ctx, store.FunctionSetting{Account: acct, Function: "layer:" + name, Kind: settingLayerVersion,
		Name: layerKey(version), Config: doc, Modified: s.cfg.Now()}, store.PutReplace)
	return l, err
}

// AddLayerVersionPermission lets other accounts (or everyone, or an organization) use a layer version.
func (s *Service) AddLayerVersionPermission(ctx context.Context, in *AddLayerVersionPermissionInput) (*AddLayerVersionPermissionOutput, error) {
	switch {
	case !statementIDRE.MatchString(in.StatementId) || len(in.StatementId) > 100:
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)", in.StatementId)
	case in.Action != "lambda:GetLayerVersion":
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion", in.Action)
	case !principalRE.MatchString(in.Principal):
		return nil, awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root", in.Principal)
	case in.OrganizationId != "" && in.Principal != "*":
		return nil, invalid("OrganizationId can only be specified with Principal '*'.")
	}
	var stmt []byte
	l, err := s.changeLayerPolicy(ctx, in.LayerName, in.VersionNumber, in.RevisionId, func(l *storedLayer) error {
		for _, st := range l.Statements {
			var x struct{ Sid string }
			if json.Unmarshal(st, &x) == nil && x.Sid == in.StatementId {
				return ErrResourceConflict.Errorf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementId)
			}
		}
		principal := any("*")
		if in.Principal != "*" {
			p := in.Principal
			if !strings.HasPrefix(p, "arn:") {
				p = "arn:aws:iam::" + p + ":root"
			}
			principal = map[string]string{"AWS": p}
		}
		st := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Principal": principal, "Action": in.Action, "Resource": l.LayerVersionArn}
		if in.OrganizationId != "" {
			st["Condition"] = map[string]any{"StringEquals": map[string]string{"aws:PrincipalOrgID": in.OrganizationId}}
		}
		stmt, _ = json.Marshal(st)
		l.Statements = append(l.Statements, stmt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AddLayerVersionPermissionOutput{Status: http.StatusCreated, Statement: string(stmt), RevisionId: l.Revision}, nil
}

func layerPolicy(l *storedLayer) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": l.Statements})
	return string(b)
}

// GetLayerVersionPolicy returns a layer version's policy.
func (s *Service) GetLayerVersionPolicy(ctx context.Context, in *LayerVersionRef) (*LayerPolicyOutput, error) {
	if err := checkLayerName(in.LayerName); err != nil {
		return nil, err
	}
	l, err := s.layerVersion(ctx, account(ctx), in.LayerName, in.VersionNumber)
	if err != nil {
		return nil, err
	}
	if len(l.Statements) == 0 {
		return nil, ErrResourceNotFound.Errorf("No policy is associated with the given resource.")
	}
	return &LayerPolicyOutput{Policy: layerPolicy(l), RevisionId: l.Revision}, nil
}

// RemoveLayerVersionPermission removes a statement from a layer version's policy.
func (s *Service) RemoveLayerVersionPermission(ctx context.Context, in *RemoveLayerVersionPermissionInput) (*EmptyOutput, error) {
	_, err := s.changeLayerPolicy(ctx, in.LayerName, in.VersionNumber, in.RevisionId, func(l *storedLayer) error {
		for i, st := range l.Statements {
			var x struct{ Sid string }
			if json.Unmarshal(st, &x) == nil && x.Sid == in.StatementId {
				l.Statements = append(l.Statements[:i], l.Statements[i+1:]...)
				return nil
			}
		}
		return ErrResourceNotFound.Errorf("Statement %s is not found in resource policy.", in.StatementId)
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{Status: http.StatusNoContent}, nil
}
