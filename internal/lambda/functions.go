package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// Limits Lambda documents.
const (
	maxZipBytes     = 50 << 20 // a ZipFile upload
	maxUnzipped     = 250 << 20
	maxEnvBytes     = 4 << 10
	defaultMemory   = 128
	defaultTimeout  = 3
	defaultTmpMB    = 512
	latest          = "$LATEST"
	maxListFunction = 50
)

var roleRE = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)

func newRevision() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func validationRange(field string, v, lo, hi int32) error {
	if v < lo {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", v, field, lo)
	}
	if v > hi {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", v, field, hi)
	}
	return nil
}

// checkConfig validates a configuration's settings, as CreateFunction and
// UpdateFunctionConfiguration both leave it.
func (s *Service) checkConfig(c *FunctionConfiguration) error {
	if err := checkLogging(c.LoggingConfig); err != nil {
		return err
	}
	if err := validationRange("memorySize", c.MemorySize, 128, 10240); err != nil {
		return err
	}
	if err := validationRange("timeout", c.Timeout, 1, 900); err != nil {
		return err
	}
	if c.EphemeralStorage != nil {
		if err := validationRange("ephemeralStorage.size", c.EphemeralStorage.Size, 512, 10240); err != nil {
			return err
		}
	}
	if !roleRE.MatchString(c.Role) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", c.Role)
	}
	if c.Environment != nil {
		b, _ := json.Marshal(c.Environment.Variables)
		if len(b) > maxEnvBytes {
			return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
		}
		for k := range c.Environment.Variables {
			if reservedEnv[k] {
				return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", k)
			}
		}
	}
	if err := s.runtimes.check(c.Runtime); err != nil {
		return err
	}
	if c.Handler == "" && !isProvided(c.Runtime) {
		return invalid("The Handler parameter is required for the runtime %s.", c.Runtime)
	}
	if len(c.Architectures) != 1 || c.Architectures[0] != "x86_64" && c.Architectures[0] != "arm64" {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%v' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1, and each member must be x86_64 or arm64", c.Architectures)
	}
	return nil
}

var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true,
	"AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// putCode checks a zip and stores it, returning its ref, size and base64 SHA-256.
func (s *Service) putCode(ctx context.Context, zipFile []byte) (ref string, size int64, sum string, err error) {
	if len(zipFile) > maxZipBytes {
		return "", 0, "", ErrRequestTooLarge.Errorf("Request must be smaller than %d bytes for the CreateFunction operation", maxZipBytes+20<<20)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipFile), int64(len(zipFile)))
	if err != nil {
		return "", 0, "", invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var unzipped uint64
	for _, f := range zr.File {
		unzipped += f.UncompressedSize64
	}
	if unzipped > maxUnzipped {
		return "", 0, "", invalid("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	h := sha256.Sum256(zipFile)
	r, n, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(zipFile))
	if err != nil {
		return "", 0, "", err
	}
	return string(r), n, base64.StdEncoding.EncodeToString(h[:]), nil
}

func (s *Service) codeZip(ctx context.Context, c *FunctionCode) ([]byte, error) {
	switch {
	case c == nil:
		return nil, invalid("Code is required: give ZipFile.")
	case c.ImageUri != "":
		return nil, invalid("PackageType Image is not supported by gureum: give a .zip file package (Code.ZipFile).")
	case c.S3Bucket != "" || c.S3Key != "":
		if c.S3Bucket == "" || c.S3Key == "" {
			return nil, invalid("Please provide a source for function code: S3Bucket and S3Key together.")
		}
		if s.cfg.Objects == nil {
			return nil, invalid("Code from S3 (S3Bucket/S3Key) is not available in this gureum: give Code.ZipFile.")
		}
		b, err := s.cfg.Objects.ReadObject(ctx, account(ctx), c.S3Bucket, c.S3Key, c.S3ObjectVersion, maxCodeFromS3)
		if err != nil {
			return nil, invalid("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", s3Code(err), err.Error())
		}
		return b, nil
	case len(c.ZipFile) == 0:
		return nil, invalid("Code is required: give ZipFile.")
	}
	return c.ZipFile, nil
}

// maxCodeFromS3 is the largest code zip read from S3 (Lambda: 250 MB unzipped; the zip is smaller).
const maxCodeFromS3 = 250 << 20

// s3Code is the error code of an S3 read error (its AWS code when it has one).
func s3Code(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var e *awserr.Error
	if errors.As(err, &e) && e.Code != nil {
		return e.Code.Name
	}
	return "InternalError"
}

// Objects reads function code from S3 (the S3 service in process), as the account given.
type Objects interface {
	ReadObject(ctx context.Context, account, bucket, key, versionID string, max int64) ([]byte, error)
}

// CreateFunction stores a new function with its $LATEST version.
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*FunctionConfiguration, error) {
	if !nameRE.MatchString(in.FunctionName) {
		return nil, invalidName(in.FunctionName)
	}
	if in.PackageType == "Image" {
		return nil, invalid("PackageType Image is not supported by gureum: give a .zip file package (PackageType Zip).")
	}
	acct := account(ctx)
	c := &FunctionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: s.functionARN(acct, in.FunctionName), Runtime: in.Runtime, Role: in.Role,
		Handler: in.Handler, Description: in.Description, Timeout: defaultTimeout, MemorySize: defaultMemory, Version: latest,
		TracingConfig: &TracingConfig{Mode: "PassThrough"}, DeadLetterConfig: in.DeadLetterConfig, PackageType: "Zip",
		Architectures: []string{"x86_64"}, EphemeralStorage: &EphemeralStorage{Size: defaultTmpMB},
		LoggingConfig: &LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + in.FunctionName},
		State:         "Active", LastUpdateStatus: "Successful",
	}
	applyCreate(c, in)
	if err := s.checkConfig(c); err != nil {
		return nil, err
	}
	if err := s.checkFileSystems(ctx, c); err != nil {
		return nil, err
	}
	if err := s.resolveLayers(ctx, c); err != nil {
		return nil, err
	}
	zipFile, err := s.codeZip(ctx, in.Code)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, invalid("Number of tags exceeds resource tag limit.")
	}
	return s.create(ctx, acct, c, zipFile, in.Tags, in.Publish)
}

func applyCreate(c *FunctionConfiguration, in *CreateFunctionInput) {
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		c.Environment = &EnvironmentResponse{Variables: in.Environment.Variables}
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		c.TracingConfig = in.TracingConfig
	}
	if in.EphemeralStorage != nil {
		c.EphemeralStorage = in.EphemeralStorage
	}
	if in.LoggingConfig != nil {
		c.LoggingConfig = mergeLogging(c.LoggingConfig, in.LoggingConfig)
	}
	if len(in.Architectures) > 0 {
		c.Architectures = in.Architectures
	}
	for _, l := range in.Layers {
		c.Layers = append(c.Layers, Layer{Arn: l})
	}
	c.VpcConfig = vpcResponse(in.VpcConfig)
	c.FileSystemConfigs = in.FileSystemConfigs
}

func mergeLogging(old, in *LoggingConfig) *LoggingConfig {
	out := *old
	if in.LogFormat != "" {
		out.LogFormat = in.LogFormat
	}
	if in.LogGroup != "" {
		out.LogGroup = in.LogGroup
	}
	out.ApplicationLogLevel, out.SystemLogLevel = in.ApplicationLogLevel, in.SystemLogLevel
	return &out
}

func (s *Service) create(ctx context.Context, acct string, c *FunctionConfiguration, zipFile []byte, tags map[string]string, publish bool) (*FunctionConfiguration, error) {
	ref, size, sum, err := s.putCode(ctx, zipFile)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	c.CodeSize, c.CodeSha256, c.RevisionId, c.LastModified = size, sum, newRevision(), lastModified(now)
	v := store.FunctionVersion{Account: acct, Function: c.FunctionName, Version: latest, CodeRef: ref, CodeSha256: sum,
		CodeSize: size, RevisionID: c.RevisionId, Modified: now}
	v.Config, _ = json.Marshal(c)
	f := store.Function{Account: acct, Name: c.FunctionName, Tags: tags, ReservedConcurrency: -1, Created: now}
	if err := s.cfg.Store.CreateFunction(ctx, f, v); err != nil {
		s.cfg.Blobs.Delete(context.WithoutCancel(ctx), blobRef(ref))
		if errors.Is(err, store.ErrExists) {
			return nil, ErrResourceConflict.Errorf("Function already exist: %s", c.FunctionName)
		}
		return nil, err
	}
	if publish {
		p, err := s.publish(ctx, acct, c.FunctionName, "", "", "")
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	return c, nil
}

func decodeConfig(v store.FunctionVersion) (*FunctionConfiguration, error) {
	c := &FunctionConfiguration{}
	if err := json.Unmarshal(v.Config, c); err != nil {
		return nil, err
	}
	c.Version = v.Version
	if v.Version != latest {
		c.FunctionArn += ":" + v.Version
	}
	return c, nil
}

// version reads a version (or the version an alias points at) of a function.
func (s *Service) version(ctx context.Context, r ref) (store.FunctionVersion, *FunctionConfiguration, error) {
	q := r.qualifier
	if q == "" {
		q = latest
	}
	if !isVersion(q) {
		a, err := s.alias(ctx, r.account, r.name, q)
		if err != nil {
			return store.FunctionVersion{}, nil, err
		}
		q = a.FunctionVersion
	}
	v, err := s.cfg.Store.FunctionVersion(ctx, r.account, r.name, q)
	if errors.Is(err, store.ErrNotFound) {
		arn := s.functionARN(r.account, r.name)
		if r.qualifier != "" {
			arn += ":" + r.qualifier
		}
		return v, nil, notFound(arn)
	}
	if err != nil {
		return v, nil, err
	}
	c, err := decodeConfig(v)
	return v, c, err
}

func isVersion(q string) bool {
	if q == latest {
		return true
	}
	_, err := strconv.ParseUint(q, 10, 64)
	return err == nil
}
