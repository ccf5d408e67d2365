package cloudformation

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gureum/gureum/internal/s3"
)

// Functions, their versions, aliases, permissions and event source mappings (Lambda).

func init() {
	providers["AWS::Lambda::Function"] = &provider{
		props: []string{"FunctionName", "Code", "Handler", "Runtime", "Role", "MemorySize", "Timeout", "Environment", "Description",
			"Layers", "ReservedConcurrentExecutions", "DeadLetterConfig", "TracingConfig", "Architectures", "EphemeralStorage",
			"LoggingConfig", "Tags", "PackageType", "RecursiveLoop", "RuntimeManagementConfig", "SnapStart", "ImageConfig",
			"FileSystemConfigs", "VpcConfig"},
		replace: []string{"FunctionName", "PackageType"},
		name:    "FunctionName",
		create:  createFunction,
		update:  updateFunction,
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "lambda", "DeleteFunction", map[string]any{"FunctionName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::Lambda::Version"] = &provider{
		props:   []string{"FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig", "RuntimePolicy"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			out, err := x.call(ctx, "lambda", "PublishVersion", map[string]any{"FunctionName": str(props, "FunctionName"),
				"Description": str(props, "Description"), "CodeSha256": str(props, "CodeSha256")})
			if err != nil {
				return err
			}
			arn, _ := out["FunctionArn"].(string)
			version, _ := out["Version"].(string)
			r.PhysicalID = arn
			r.Attrs = map[string]any{"Version": version, "FunctionArn": arn}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			fn, version := splitQualified(r.PhysicalID)
			_, err := x.call(ctx, "lambda", "DeleteFunction", map[string]any{"FunctionName": fn, "Qualifier": version})
			return err
		},
	}
	providers["AWS::Lambda::Alias"] = &provider{
		props:   []string{"FunctionName", "FunctionVersion", "Name", "Description", "RoutingConfig", "ProvisionedConcurrencyConfig"},
		replace: []string{"FunctionName", "Name"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			out, err := x.call(ctx, "lambda", "CreateAlias", aliasInput(props))
			if err != nil {
				return err
			}
			arn, _ := out["AliasArn"].(string)
			r.PhysicalID = arn
			r.Attrs = map[string]any{"AliasArn": arn}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if handled, err := deployAlias(ctx, x, r, props); handled && err != nil {
				return err
			}
			_, err := x.call(ctx, "lambda", "UpdateAlias", aliasInput(props))
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			fn, name := splitQualified(r.PhysicalID)
			_, err := x.call(ctx, "lambda", "DeleteAlias", map[string]any{"FunctionName": fn, "Name": name})
			return err
		},
	}
	providers["AWS::Lambda::Permission"] = &provider{
		props:   []string{"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			id := x.name(100)
			if x.s.calls.served("lambda", "AddPermission") {
				in := map[string]any{"StatementId": id}
				for _, k := range []string{"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"} {
					if v := str(props, k); v != "" {
						in[k] = v
					}
				}
				if _, err := x.call(ctx, "lambda", "AddPermission", in); err != nil {
					return err
				}
			}
			// Where Lambda does not serve function policies yet, it does not check them either:
			// every service gureum runs may invoke a function, so the permission holds as recorded.
			r.PhysicalID = id
			r.Extra = map[string]string{"FunctionName": str(props, "FunctionName")}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			if !x.s.calls.served("lambda", "RemovePermission") {
				return nil
			}
			_, err := x.call(ctx, "lambda", "RemovePermission", map[string]any{"FunctionName": r.Extra["FunctionName"], "StatementId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::Lambda::EventSourceMapping"] = &provider{
		props: []string{"EventSourceArn", "FunctionName", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes",
			"FilterCriteria", "ScalingConfig", "StartingPosition", "StartingPositionTimestamp", "MaximumRetryAttempts",
			"BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds", "DestinationConfig", "ParallelizationFactor", "TumblingWindowInSeconds", "Tags"},
		replace: []string{"EventSourceArn", "StartingPosition", "StartingPositionTimestamp"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			in := esmInput(props)
			in["EventSourceArn"] = str(props, "EventSourceArn")
			if v := str(props, "StartingPosition"); v != "" {
				in["StartingPosition"] = v
			}
			out, err := x.call(ctx, "lambda", "CreateEventSourceMapping", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["UUID"].(string)
			r.Attrs = map[string]any{"Id": r.PhysicalID, "EventSourceMappingArn": out["EventSourceMappingArn"]}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			in := esmInput(props)
			in["UUID"] = r.PhysicalID
			_, err := x.call(ctx, "lambda", "UpdateEventSourceMapping", in)
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "lambda", "DeleteEventSourceMapping", map[string]any{"UUID": r.PhysicalID})
			return err
		},
	}
}

// splitQualified splits a qualified function ARN into the function and its qualifier.
func splitQualified(arn string) (string, string) {
	i := strings.LastIndex(arn, ":")
	if i < 0 || strings.Count(arn, ":") < 7 {
		return arn, ""
	}
	return arn[:i], arn[i+1:]
}

func aliasInput(props map[string]any) map[string]any {
	in := map[string]any{"FunctionName": str(props, "FunctionName"), "Name": str(props, "Name"),
		"FunctionVersion": str(props, "FunctionVersion"), "Description": str(props, "Description")}
	if rc, ok := props["RoutingConfig"].(map[string]any); ok {
		weights := map[string]any{}
		l, _ := rc["AdditionalVersionWeights"].([]any)
		for _, w := range l {
			m, _ := w.(map[string]any)
			weights[str(m, "FunctionVersion")] = m["FunctionWeight"]
		}
		in["RoutingConfig"] = map[string]any{"AdditionalVersionWeights": weights}
	}
	return in
}

func esmInput(props map[string]any) map[string]any {
	in := map[string]any{"FunctionName": str(props, "FunctionName")}
	for _, k := range []string{"BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria",
		"ScalingConfig", "MaximumRetryAttempts", "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds", "DestinationConfig",
		"ParallelizationFactor", "TumblingWindowInSeconds"} {
		if v, ok := props[k]; ok {
			in[k] = v
		}
	}
	return in
}

// functionConfig is the configuration part of CreateFunction and UpdateFunctionConfiguration.
func functionConfig(props map[string]any) map[string]any {
	in := map[string]any{}
	for _, k := range []string{"Handler", "Runtime", "Role", "Description", "PackageType"} {
		if v := str(props, k); v != "" {
			in[k] = v
		}
	}
	for _, k := range []string{"MemorySize", "Timeout"} {
		if n, ok, _ := num(props, k); ok {
			in[k] = n
		}
	}
	for _, k := range []string{"Environment", "DeadLetterConfig", "TracingConfig", "Architectures", "EphemeralStorage", "LoggingConfig",
		"Layers", "ImageConfig", "SnapStart", "FileSystemConfigs", "VpcConfig"} {
		if v, ok := props[k]; ok {
			in[k] = v
		}
	}
	if env, ok := props["Environment"].(map[string]any); ok {
		vars := map[string]string{}
		vm, _ := env["Variables"].(map[string]any)
		for k := range vm {
			vars[k] = str(vm, k)
		}
		in["Environment"] = map[string]any{"Variables": vars}
	}
	return in
}

// functionCode reads a template's Code into a zip: inline source (ZipFile) is zipped as
// index.<ext> for the runtime, an S3 location is read from gureum's S3 as the stack's creator.
func functionCode(ctx context.Context, x *exec, props map[string]any) ([]byte, error) {
	code, _ := props["Code"].(map[string]any)
	if code == nil {
		return nil, fmt.Errorf("Property Code is required: ZipFile, or S3Bucket and S3Key")
	}
	if src, ok := code["ZipFile"].(string); ok {
		name := "index.py"
		if strings.HasPrefix(str(props, "Runtime"), "nodejs") {
			name = "index.js"
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, ExternalAttrs: 0o644 << 16})
		if err == nil {
			_, err = w.Write([]byte(src))
		}
		if err == nil {
			err = zw.Close()
		}
		return buf.Bytes(), err
	}
	bucket, key := str(code, "S3Bucket"), str(code, "S3Key")
	if bucket == "" || key == "" {
		if str(code, "ImageUri") != "" {
			return nil, fmt.Errorf("Code.ImageUri: container images are not supported by gureum; give ZipFile or S3Bucket and S3Key")
		}
		return nil, fmt.Errorf("Property Code needs ZipFile, or S3Bucket and S3Key")
	}
	q := url.Values{}
	if v := str(code, "S3ObjectVersion"); v != "" {
		q.Set("versionId", v)
	}
	out, err := x.s.calls.call(ctx, x.stack.Caller, "s3", "GetObject", &s3.ObjectInput{Bucket: bucket, Key: key, Header: http.Header{}, Query: q})
	if err != nil {
		return nil, fmt.Errorf("Error occurred while GetObject. S3 Bucket: %s, S3 Key: %s: %s", bucket, key, describeError(err))
	}
	body := out.(*s3.GetObjectOutput).Body
	b, err := io.ReadAll(io.LimitReader(body, 250<<20))
	if c, ok := body.(io.Closer); ok {
		c.Close()
	}
	return b, err
}

func createFunction(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
	zipped, err := functionCode(ctx, x, props)
	if err != nil {
		return err
	}
	name := str(props, "FunctionName")
	if name == "" {
		name = x.name(64)
	}
	in := functionConfig(props)
	in["FunctionName"], in["Code"], in["Tags"] = name, map[string]any{"ZipFile": zipped}, tagMap(props)
	out, err := x.call(ctx, "lambda", "CreateFunction", in)
	if err != nil {
		return err
	}
	r.PhysicalID = name
	arn, _ := out["FunctionArn"].(string)
	r.Attrs = map[string]any{"Arn": arn}
	if n, ok, _ := num(props, "ReservedConcurrentExecutions"); ok {
		if _, err := x.call(ctx, "lambda", "PutFunctionConcurrency", map[string]any{"FunctionName": name, "ReservedConcurrentExecutions": n}); err != nil {
			return err
		}
	}
	return nil
}

func updateFunction(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
	if template := normal(props["Code"]); fmt.Sprint(template) != fmt.Sprint(normal(old["Code"])) {
		zipped, err := functionCode(ctx, x, props)
		if err != nil {
			return err
		}
		if _, err := x.call(ctx, "lambda", "UpdateFunctionCode", map[string]any{"FunctionName": r.PhysicalID, "ZipFile": zipped}); err != nil {
			return err
		}
	}
	in := functionConfig(props)
	in["FunctionName"] = r.PhysicalID
	if _, ok := in["Environment"]; !ok && old["Environment"] != nil {
		in["Environment"] = map[string]any{"Variables": map[string]string{}}
	}
	if _, ok := in["FileSystemConfigs"]; !ok && old["FileSystemConfigs"] != nil {
		in["FileSystemConfigs"] = []any{}
	}
	if _, ok := in["VpcConfig"]; !ok && old["VpcConfig"] != nil {
		in["VpcConfig"] = map[string]any{"SubnetIds": []any{}, "SecurityGroupIds": []any{}}
	}
	if _, err := x.call(ctx, "lambda", "UpdateFunctionConfiguration", in); err != nil {
		return err
	}
	n, has, _ := num(props, "ReservedConcurrentExecutions")
	_, had, _ := num(old, "ReservedConcurrentExecutions")
	switch {
	case has:
		_, err := x.call(ctx, "lambda", "PutFunctionConcurrency", map[string]any{"FunctionName": r.PhysicalID, "ReservedConcurrentExecutions": n})
		return err
	case had:
		_, err := x.call(ctx, "lambda", "DeleteFunctionConcurrency", map[string]any{"FunctionName": r.PhysicalID})
		return err
	}
	return nil
}
