package lambda

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/store"
)

func blobRef(r string) blob.Ref { return blob.Ref(r) }

// GetFunction returns a version's configuration, where to download its code, and the function's
// tags and reserved concurrency.
func (s *Service) GetFunction(ctx context.Context, in *GetFunctionInput) (*GetFunctionOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	v, c, err := s.version(ctx, r)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Store.Function(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	out := &GetFunctionOutput{Configuration: c, Code: &FunctionCodeLocation{RepositoryType: "S3", Location: s.codeURL(v.CodeRef)}}
	if len(f.Tags) > 0 {
		out.Tags = f.Tags
	}
	if f.ReservedConcurrency >= 0 {
		n := int32(f.ReservedConcurrency)
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: &n}
	}
	return out, nil
}

func (s *Service) storeErr(err error, r ref) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(s.functionARN(r.account, r.name))
	}
	return err
}

// GetFunctionConfiguration returns a version's configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *GetFunctionInput) (*FunctionConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	_, c, err := s.version(ctx, r)
	return c, err
}

// ListFunctions pages through the account's functions ($LATEST; every version with
// FunctionVersion=ALL).
func (s *Service) ListFunctions(ctx context.Context, in *ListFunctionsInput) (*ListFunctionsOutput, error) {
	limit := in.MaxItems
	if limit <= 0 || limit > maxListFunction {
		limit = maxListFunction
	}
	if in.FunctionVersion != "" && in.FunctionVersion != "ALL" {
		return nil, invalid("Invalid FunctionVersion value: %s. Only ALL is supported.", in.FunctionVersion)
	}
	acct := account(ctx)
	vs, err := s.cfg.Store.ListFunctions(ctx, acct, in.Marker, limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsOutput{Functions: []*FunctionConfiguration{}}
	if len(vs) > limit {
		vs = vs[:limit]
		out.NextMarker = vs[limit-1].Function
	}
	for _, v := range vs {
		all := []store.FunctionVersion{v}
		if in.FunctionVersion == "ALL" {
			if all, err = s.cfg.Store.ListFunctionVersions(ctx, acct, v.Function); err != nil {
				return nil, err
			}
		}
		for _, v := range all {
			c, err := decodeConfig(v)
			if err != nil {
				return nil, err
			}
			out.Functions = append(out.Functions, c)
		}
	}
	return out, nil
}

// UpdateFunctionCode replaces $LATEST's code.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*FunctionConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	zipFile, err := s.codeZip(ctx, &FunctionCode{ZipFile: in.ZipFile, S3Bucket: in.S3Bucket, S3Key: in.S3Key, S3ObjectVersion: in.S3ObjectVersion, ImageUri: in.ImageUri})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, c, err := s.version(ctx, ref{account: r.account, name: r.name})
	if err != nil {
		return nil, err
	}
	if in.RevisionId != "" && in.RevisionId != c.RevisionId {
		return nil, ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	if in.DryRun {
		return c, nil
	}
	codeRef, size, sum, err := s.putCode(ctx, zipFile)
	if err != nil {
		return nil, err
	}
	old := v.CodeRef
	v.CodeRef, v.CodeSize, v.CodeSha256 = codeRef, size, sum
	c.CodeSize, c.CodeSha256 = size, sum
	if len(in.Architectures) > 0 {
		c.Architectures = in.Architectures
	}
	if err := s.saveLatest(ctx, v, c); err != nil {
		return nil, err
	}
	s.freeCode(ctx, r, old)
	if in.Publish {
		return s.publishLocked(ctx, r.account, r.name, "", "", "")
	}
	return c, nil
}

// freeCode deletes a code blob that no version uses any more.
func (s *Service) freeCode(ctx context.Context, r ref, codeRef string) {
	vs, err := s.cfg.Store.ListFunctionVersions(ctx, r.account, r.name)
	if err != nil {
		return
	}
	for _, v := range vs {
		if v.CodeRef == codeRef {
			return
		}
	}
	s.cfg.Blobs.Delete(context.WithoutCancel(ctx), blobRef(codeRef))
}

// saveLatest writes $LATEST with a new revision and ends its warm environments.
func (s *Service) saveLatest(ctx context.Context, v store.FunctionVersion, c *FunctionConfiguration) error {
	now := s.cfg.Now()
	c.RevisionId, c.LastModified, c.LastUpdateStatus, c.State = newRevision(), lastModified(now), "Successful", "Active"
	v.RevisionID, v.Modified = c.RevisionId, now
	c.FunctionArn = s.functionARN(v.Account, v.Function)
	v.Config, _ = json.Marshal(c)
	if err := s.cfg.Store.PutFunctionVersion(ctx, v); err != nil {
		return s.storeErr(err, ref{account: v.Account, name: v.Function})
	}
	s.workers.retire(v.Account, v.Function)
	return nil
}

// UpdateFunctionConfiguration changes $LATEST's settings.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationInput) (*FunctionConfiguration, error) {
	r, err := s.parseRef(ctx, in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, c, err := s.version(ctx, ref{account: r.account, name: r.name})
	if err != nil {
		return nil, err
	}
	if in.RevisionId != "" && in.RevisionId != c.RevisionId {
		return nil, ErrPreconditionFailed.Errorf("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	applyUpdate(c, in)
	if err := s.checkConfig(c); err != nil {
		return nil, err
	}
	if err := s.checkFileSystems(ctx, c); err != nil {
		return nil, err
	}
	if err := s.resolveLayers(ctx, c); err != nil {
		return nil, err
	}
	if err := s.saveLatest(ctx, v, c); err != nil {
		return nil, err
	}
	return c, nil
}

func applyUpdate(c *FunctionConfiguration, in *UpdateFunctionConfigurationInput) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Role, in.Role)
	set(&c.Handler, in.Handler)
	set(&c.Description, in.Description)
	set(&c.Runtime, in.Runtime)
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		c.Environment = &EnvironmentResponse{Variables: in.Environment.Variables}
	}
	if in.TracingConfig != nil {
		c.TracingConfig = in.TracingConfig
	}
	if in.DeadLetterConfig != nil {
		c.DeadLetterConfig = in.DeadLetterConfig
	}
	if in.EphemeralStorage != nil {
		c.EphemeralStorage = in.EphemeralStorage
	}
	if in.LoggingConfig != nil {
		c.LoggingConfig = mergeLogging(c.LoggingConfig, in.LoggingConfig)
	}
	if in.Layers != nil {
		c.Layers = nil
		for _, l := range in.Layers {
			c.Layers = append(c.Layers, Layer{Arn: l})
		}
	}
	if in.VpcConfig != nil {
		c.VpcConfig = vpcResponse(in.VpcConfig)
	}
	if in.FileSystemConfigs != nil {
		c.FileSystemConfigs = in.FileSystemConfigs
	}
}

// DeleteFunction removes a function (or, with a qualifier, one published version).
func (s *Service) DeleteFunction(ctx context.Context, in *DeleteFunctionInput) (*DeleteFunctionOutput, error) {
	r, err := s.parseRef(ctx, in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.qualifier == latest:
		return nil, invalid("$LATEST version cannot be deleted without deleting the function.")
	case r.qualifier != "" && !isVersion(r.qualifier):
		return nil, invalid("Deletion of aliases is not supported.")
	case r.qualifier != "":
		if err := s.deleteVersion(ctx, r); err != nil {
			return nil, err
		}
		return &DeleteFunctionOutput{Status: http.StatusNoContent}, nil
	}
	if _, err := s.cfg.Store.Function(ctx, r.account, r.name); err != nil {
		return nil, s.storeErr(err, r)
	}
	s.functionGone(ctx, r.account, r.name)
	refs, err := s.cfg.Store.DeleteFunction(ctx, r.account, r.name)
	if err != nil {
		return nil, s.storeErr(err, r)
	}
	s.workers.retire(r.account, r.name)
	for _, cr := range refs {
		s.cfg.Blobs.Delete(context.WithoutCancel(ctx), blobRef(cr))
	}
	return &DeleteFunctionOutput{Status: http.StatusNoContent}, nil
}

func (s *Service) deleteVersion(ctx context.Context, r ref) error {
	aliases, err := s.cfg.Store.ListFunctionAliases(ctx, r.account, r.name)
	if err != nil {
		return err
	}
	for _, a := range aliases {
		ac, _ := decodeAlias(a)
		if ac != nil && (ac.FunctionVersion == r.qualifier || ac.weight(r.qualifier) > 0) {
			return ErrResourceConflict.Errorf("Unable to delete version because the following aliases reference it: [%s]", a.Name)
		}
	}
	freed, err := s.cfg.Store.DeleteFunctionVersion(ctx, r.account, r.name, r.qualifier)
	if err == nil {
		s.qualifierGone(ctx, r.account, r.name, r.qualifier)
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound(s.functionARN(r.account, r.name) + ":" + r.qualifier)
	}
	if err != nil {
		return err
	}
	if freed != "" {
		s.cfg.Blobs.Delete(context.WithoutCancel(ctx), blobRef(freed))
	}
	return nil
}

// codeURL is a signed, expiring link to a code zip on gureum's own endpoint (CodeHandler).
func (s *Service) codeURL(codeRef string) string {
	exp := strconv.FormatInt(s.cfg.Now().Add(10*time.Minute).Unix(), 10)
	return s.baseURL + CodePath + base64.RawURLEncoding.EncodeToString([]byte(codeRef)) + "?expires=" + exp + "&sig=" + s.sign(codeRef, exp)
}

// CodePath is where CodeHandler serves code downloads.
const CodePath = "/_gureum/lambda/code/"

func (s *Service) sign(codeRef, exp string) string {
	m := hmac.New(sha256.New, s.workers.secret[:])
	io.WriteString(m, codeRef+"\n"+exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CodeHandler serves the code zips GetFunction links to.
func (s *Service) CodeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(r.URL.Path, CodePath))
		exp := r.URL.Query().Get("expires")
		n, _ := strconv.ParseInt(exp, 10, 64)
		if err != nil || !hmac.Equal([]byte(s.sign(string(raw), exp)), []byte(r.URL.Query().Get("sig"))) || s.cfg.Now().Unix() > n {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		rd, err := s.cfg.Blobs.Open(r.Context(), blob.Ref(raw))
		if err != nil {
			http.Error(w, "NoSuchKey", http.StatusNotFound)
			return
		}
		defer rd.Close()
		w.Header().Set("Content-Type", "application/zip")
		http.ServeContent(w, r, "code.zip", time.Time{}, rd)
	})
}
