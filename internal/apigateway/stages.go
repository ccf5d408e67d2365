package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateDeploymentInput is CreateDeployment's request.
type CreateDeploymentInput struct {
	RestAPIID        string            `rest:"uri=restapi_id" json:"-"`
	StageName        string            `json:"stageName"`
	StageDescription string            `json:"stageDescription"`
	Description      string            `json:"description"`
	Variables        map[string]string `json:"variables"`
	TracingEnabled   *bool             `json:"tracingEnabled"`
	// CanarySettings make the new deployment the stage's canary rather than its deployment.
	CanarySettings      *DeploymentCanarySettings `json:"canarySettings"`
	CacheClusterEnabled *bool                     `json:"cacheClusterEnabled"`
	CacheClusterSize    string                    `json:"cacheClusterSize"`
}

// DeploymentCanarySettings are CreateDeployment's canary: the share of the stage's traffic the
// new deployment takes, and the stage variables it sees differently.
type DeploymentCanarySettings struct {
	PercentTraffic         float64           `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          bool              `json:"useStageCache"`
}

// DeploymentOutput is a deployment in an answer.
type DeploymentOutput struct {
	Deployment
	Status int `rest:"status" json:"-"`
}

// DeploymentInput names a deployment.
type DeploymentInput struct {
	RestAPIID    string `rest:"uri=restapi_id" json:"-"`
	DeploymentID string `rest:"uri=deployment_id" json:"-"`
}

// DeploymentsOutput is GetDeployments' answer.
type DeploymentsOutput struct {
	Items    []Deployment `json:"item"`
	Position string       `json:"position,omitempty"`
}

var stageNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

// CreateDeployment snapshots a REST API, and points a stage at it when one is named.
func (s *Service) CreateDeployment(ctx context.Context, in *CreateDeploymentInput) (*DeploymentOutput, error) {
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, in.RestAPIID)
	if err != nil {
		return nil, err
	}
	methods := 0
	for _, r := range doc.Resources {
		for _, m := range r.ResourceMethods {
			if m.MethodIntegration == nil {
				return nil, badRequest("No integration defined for method")
			}
			methods++
		}
	}
	if methods == 0 {
		return nil, badRequest("The REST API doesn't contain any methods")
	}
	if isPrivate(&doc.API) && doc.API.Policy == "" {
		return nil, badRequest("Private REST API doesn't have a resource policy attached to it")
	}
	if in.StageName != "" && !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	if c := in.CanarySettings; c != nil {
		if in.StageName == "" {
			return nil, badRequest("Canary settings require a stage name")
		}
		if c.PercentTraffic < 0 || c.PercentTraffic > 100 {
			return nil, badRequest("Canary traffic percentage must be between 0.0 and 100.0")
		}
		if err := validateVariables(c.StageVariableOverrides); err != nil {
			return nil, err
		}
	}
	d := Deployment{ID: newID(), Description: in.Description, CreatedDate: s.now().Unix()}
	b, _ := json.Marshal(deploymentDoc{Deployment: d, API: *doc})
	if err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: store.KindDeployment, Account: account, Parent: in.RestAPIID,
		ID: d.ID, Doc: b, Created: s.now()}); err != nil {
		return nil, err
	}
	if in.StageName != "" {
		if err := s.deployStage(ctx, in, d.ID); err != nil {
			return nil, err
		}
	}
	return &DeploymentOutput{Deployment: d, Status: 201}, nil
}

// deployStage points a stage at a new deployment, creating the stage if need be; with canary
// settings the deployment becomes the existing stage's canary instead.
func (s *Service) deployStage(ctx context.Context, in *CreateDeploymentInput, deploymentID string) error {
	_, err := s.mutateStage(ctx, in.RestAPIID, in.StageName, func(st *Stage) error {
		if c := in.CanarySettings; c != nil {
			st.CanarySettings = &CanarySettings{PercentTraffic: c.PercentTraffic, DeploymentID: deploymentID,
				StageVariableOverrides: c.StageVariableOverrides, UseStageCache: c.UseStageCache}
			return nil
		}
		if in.CacheClusterEnabled != nil {
			st.CacheClusterEnabled = *in.CacheClusterEnabled
			st.CacheClusterStatus = cacheStatus(st.CacheClusterEnabled)
		}
		if in.CacheClusterSize != "" {
			st.CacheClusterSize = in.CacheClusterSize
		}
		st.DeploymentID = deploymentID
		for k, v := range in.Variables {
			if st.Variables == nil {
				st.Variables = map[string]string{}
			}
			st.Variables[k] = v
		}
		return nil
	})
	if !errors.Is(err, errNoStage) {
		return err
	}
	if in.CanarySettings != nil {
		return badRequest("Invalid stage identifier specified: a canary deployment needs an existing stage")
	}
	st := Stage{StageName: in.StageName, DeploymentID: deploymentID, Description: in.StageDescription, Variables: in.Variables,
		CacheClusterSize: in.CacheClusterSize}
	if in.CacheClusterEnabled != nil {
		st.CacheClusterEnabled = *in.CacheClusterEnabled
	}
	if in.TracingEnabled != nil {
		st.TracingEnabled = *in.TracingEnabled
	}
	_, err = s.createStage(ctx, in.RestAPIID, st)
	return err
}

// GetDeployment describes a deployment.
func (s *Service) GetDeployment(ctx context.Context, in *DeploymentInput) (*DeploymentOutput, error) {
	d, err := s.loadDeployment(ctx, callerAccount(ctx), in.RestAPIID, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return &DeploymentOutput{Deployment: d.Deployment}, nil
}

func (s *Service) loadDeployment(ctx context.Context, account, apiID, id string) (*deploymentDoc, error) {
	obj, err := s.store.APIObject(ctx, store.KindDeployment, account, apiID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Deployment")
	}
	if err != nil {
		return nil, err
	}
	var d deploymentDoc
	return &d, json.Unmarshal(obj.Doc, &d)
}

// GetDeployments lists a REST API's deployments.
func (s *Service) GetDeployments(ctx context.Context, in *ResourcesInput) (*DeploymentsOutput, error) {
	account := callerAccount(ctx)
	if _, _, err := s.loadAPI(ctx, account, in.RestAPIID); err != nil {
		return nil, err
	}
	objs, err := s.store.APIObjects(ctx, store.KindDeployment, account, in.RestAPIID)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(len(objs), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &DeploymentsOutput{Items: []Deployment{}, Position: next}
	for _, o := range objs[page[0]:page[1]] {
		var d deploymentDoc
		if json.Unmarshal(o.Doc, &d) == nil {
			out.Items = append(out.Items, d.Deployment)
		}
	}
	return out, nil
}

// DeleteDeployment removes a deployment no stage uses.
func (s *Service) DeleteDeployment(ctx context.Context, in *DeploymentInput) (*Empty, error) {
	account := callerAccount(ctx)
	stages, err := s.store.APIObjects(ctx, store.KindStage, account, in.RestAPIID)
	if err != nil {
		return nil, err
	}
	for _, o := range stages {
		var st Stage
		if json.Unmarshal(o.Doc, &st) == nil && st.DeploymentID == in.DeploymentID {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
	}
	err = s.store.DeleteAPIObject(ctx, store.KindDeployment, account, in.RestAPIID, in.DeploymentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Deployment")
	}
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}

// CreateStageInput is CreateStage's request.
type CreateStageInput struct {
	RestAPIID            string            `rest:"uri=restapi_id" json:"-"`
	StageName            string            `json:"stageName"`
	DeploymentID         string            `json:"deploymentId"`
	Description          string            `json:"description"`
	CacheClusterEnabled  bool              `json:"cacheClusterEnabled"`
	CacheClusterSize     string            `json:"cacheClusterSize"`
	Variables            map[string]string `json:"variables"`
	DocumentationVersion string            `json:"documentationVersion"`
	CanarySettings       *CanarySettings   `json:"canarySettings"`
	TracingEnabled       bool              `json:"tracingEnabled"`
	Tags                 map[string]string `json:"tags"`
}

// StageOutput is a stage in an answer.
type StageOutput struct {
	Stage
	Status int `rest:"status" json:"-"`
}

// StageInput names a stage.
type StageInput struct {
	RestAPIID string `rest:"uri=restapi_id" json:"-"`
	StageName string `rest:"uri=stage_name" json:"-"`
}

// StagesOutput is GetStages' answer.
type StagesOutput struct {
	Item []Stage `json:"item"`
}

// StageUpdateInput is UpdateStage's request.
type StageUpdateInput struct {
	RestAPIID       string           `rest:"uri=restapi_id" json:"-"`
	StageName       string           `rest:"uri=stage_name" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// CreateStage names a deployment of a REST API.
func (s *Service) CreateStage(ctx context.Context, in *CreateStageInput) (*StageOutput, error) {
	if !stageNameRE.MatchString(in.StageName) {
		return nil, badRequest("Stage name only allows a-zA-Z0-9_")
	}
	if in.DeploymentID == "" {
		return nil, badRequest("Deployment id must be specified")
	}
	st := Stage{StageName: in.StageName, DeploymentID: in.DeploymentID, Description: in.Description,
		CacheClusterEnabled: in.CacheClusterEnabled, CacheClusterSize: in.CacheClusterSize, Variables: in.Variables,
		DocumentationVersion: in.DocumentationVersion, CanarySettings: in.CanarySettings, TracingEnabled: in.TracingEnabled, Tags: in.Tags}
	out, err := s.createStage(ctx, in.RestAPIID, st)
	if err != nil {
		return nil, err
	}
	return &StageOutput{Stage: *out, Status: 201}, nil
}

func (s *Service) createStage(ctx context.Context, apiID string, st Stage) (*Stage, error) {
	account := callerAccount(ctx)
	if _, _, err := s.loadAPI(ctx, account, apiID); err != nil {
		return nil, err
	}
	if _, err := s.loadDeployment(ctx, account, apiID, st.DeploymentID); err != nil {
		return nil, err
	}
	if err := validateVariables(st.Variables); err != nil {
		return nil, err
	}
	if err := s.checkCanary(ctx, account, apiID, &st); err != nil {
		return nil, err
	}
	now := s.now().Unix()
	st.CreatedDate, st.LastUpdatedDate, st.CacheClusterStatus = now, now, cacheStatus(st.CacheClusterEnabled)
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*MethodSetting{}
	}
	b, _ := json.Marshal(st)
	err := s.store.CreateAPIObject(ctx, store.APIObject{Kind: store.KindStage, Account: account, Parent: apiID, ID: st.StageName, Doc: b, Created: s.now()})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrConflict.Errorf("Stage already exists")
	}
	if err != nil {
		return nil, err
	}
	s.routes.drop(apiID)
	return &st, nil
}

var variableRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func validateVariables(vars map[string]string) error {
	for k, v := range vars {
		if !variableRE.MatchString(k) || len(v) > 512 {
			return badRequest("Stage variable name must contain only alphanumeric characters or underscore, and value must be at most 512 characters: %s", k)
		}
	}
	return nil
}

var errNoStage = errors.New("no such stage")

// mutateStage changes a stage with fn, retrying on a concurrent change; errNoStage when the
// stage does not exist.
func (s *Service) mutateStage(ctx context.Context, apiID, name string, fn func(*Stage) error) (*Stage, error) {
	account := callerAccount(ctx)
	for attempt := 0; ; attempt++ {
		obj, err := s.store.APIObject(ctx, store.KindStage, account, apiID, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoStage
		}
		if err != nil {
			return nil, err
		}
		var st Stage
		if err := json.Unmarshal(obj.Doc, &st); err != nil {
			return nil, err
		}
		if err := fn(&st); err != nil {
			return nil, err
		}
		st.LastUpdatedDate = s.now().Unix()
		obj.Doc, _ = json.Marshal(st)
		err = s.store.UpdateAPIObject(ctx, obj, obj.Version)
		if errors.Is(err, store.ErrConflict) && attempt < 8 {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.routes.drop(apiID)
		return &st, nil
	}
}

func stageErr(err error) error {
	if errors.Is(err, errNoStage) {
		return notFound("Stage")
	}
	return err
}

// GetStage describes a stage.
func (s *Service) GetStage(ctx context.Context, in *StageInput) (*StageOutput, error) {
	obj, err := s.store.APIObject(ctx, store.KindStage, callerAccount(ctx), in.RestAPIID, in.StageName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Stage")
	}
	if err != nil {
		return nil, err
	}
	var st Stage
	if err := json.Unmarshal(obj.Doc, &st); err != nil {
		return nil, err
	}
	return &StageOutput{Stage: st}, nil
}

// GetStages lists a REST API's stages.
func (s *Service) GetStages(ctx context.Context, in *StageInput) (*StagesOutput, error) {
	account := callerAccount(ctx)
	if _, _, err := s.loadAPI(ctx, account, in.RestAPIID); err != nil {
		return nil, err
	}
	objs, err := s.store.APIObjects(ctx, store.KindStage, account, in.RestAPIID)
	if err != nil {
		return nil, err
	}
	out := &StagesOutput{Item: []Stage{}}
	for _, o := range objs {
		var st Stage
		if json.Unmarshal(o.Doc, &st) == nil {
			out.Item = append(out.Item, st)
		}
	}
	return out, nil
}

// UpdateStage applies patch operations to a stage.
func (s *Service) UpdateStage(ctx context.Context, in *StageUpdateInput) (*StageOutput, error) {
	account := callerAccount(ctx)
	st, err := s.mutateStage(ctx, in.RestAPIID, in.StageName, func(st *Stage) error {
		for _, op := range in.PatchOperations {
			if err := patchStage(st, op); err != nil {
				return err
			}
		}
		if _, err := s.loadDeployment(ctx, account, in.RestAPIID, st.DeploymentID); err != nil {
			return err
		}
		if err := s.checkCanary(ctx, account, in.RestAPIID, st); err != nil {
			return err
		}
		st.CacheClusterStatus = cacheStatus(st.CacheClusterEnabled)
		if err := checkAccessLog(st.AccessLogSettings); err != nil {
			return err
		}
		return validateVariables(st.Variables)
	})
	if err != nil {
		return nil, stageErr(err)
	}
	return &StageOutput{Stage: *st}, nil
}

// patchStage applies one patch operation to a stage, on the paths AWS documents.
func patchStage(st *Stage, op PatchOperation) error {
	switch {
	case op.Op == "copy" && op.From == "/canarySettings/deploymentId" && op.Path == "/deploymentId":
		// Promoting a canary: the stage takes the canary's deployment.
		if st.CanarySettings == nil || st.CanarySettings.DeploymentID == "" {
			return badRequest("Stage has no canary deployment to promote")
		}
		st.DeploymentID = st.CanarySettings.DeploymentID
	case op.Op == "copy" && op.From == "/canarySettings/stageVariableOverrides" && op.Path == "/variables":
		if st.CanarySettings != nil {
			for k, v := range st.CanarySettings.StageVariableOverrides {
				if st.Variables == nil {
					st.Variables = map[string]string{}
				}
				st.Variables[k] = v
			}
		}
	case op.Op == "replace" && op.Path == "/deploymentId":
		st.DeploymentID = op.Value
	case op.Op == "replace" && op.Path == "/description":
		st.Description = op.Value
	case op.Op == "replace" && op.Path == "/tracingEnabled":
		st.TracingEnabled = op.Value == "true"
	case op.Op == "replace" && op.Path == "/cacheClusterEnabled":
		st.CacheClusterEnabled = op.Value == "true"
	case op.Op == "replace" && op.Path == "/cacheClusterSize":
		st.CacheClusterSize = op.Value
	case strings.HasPrefix(op.Path, "/variables/"):
		st.Variables = patchMap(st.Variables, op, "/variables/")
	case strings.HasPrefix(op.Path, "/canarySettings"):
		return patchCanary(st, op)
	case strings.HasPrefix(op.Path, "/accessLogSettings"):
		return patchAccessLog(st, op)
	default:
		return patchMethodSetting(st, op)
	}
	return nil
}

func patchCanary(st *Stage, op PatchOperation) error {
	if op.Op == "remove" && op.Path == "/canarySettings" {
		st.CanarySettings = nil
		return nil
	}
	if st.CanarySettings == nil {
		st.CanarySettings = &CanarySettings{}
	}
	c := st.CanarySettings
	switch {
	case op.Path == "/canarySettings/percentTraffic":
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil || f < 0 || f > 100 {
			return badRequest("Invalid percentTraffic specified: %s", op.Value)
		}
		c.PercentTraffic = f
	case op.Path == "/canarySettings/deploymentId":
		c.DeploymentID = op.Value
	case op.Path == "/canarySettings/useStageCache":
		c.UseStageCache = op.Value == "true"
	case strings.HasPrefix(op.Path, "/canarySettings/stageVariableOverrides/"):
		c.StageVariableOverrides = patchMap(c.StageVariableOverrides, op, "/canarySettings/stageVariableOverrides/")
	default:
		return invalidPatch(op)
	}
	return nil
}

// patchMethodSetting handles /{resource path}/{VERB}/{area}/{setting} ("/*/*/throttling/rateLimit",
// "/~1pets/GET/logging/loglevel"). The setting's key in methodSettings is "{resource path}/{VERB}"
// as the path spells it.
func patchMethodSetting(st *Stage, op PatchOperation) error {
	parts := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
	if len(parts) != 4 {
		return invalidPatch(op)
	}
	key := parts[0] + "/" + parts[1]
	if op.Op == "remove" {
		delete(st.MethodSettings, key)
		return nil
	}
	ms := st.MethodSettings[key]
	if ms == nil {
		ms = &MethodSetting{ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, CacheTTLInSeconds: 300,
			UnauthorizedCacheCtl: "SUCCEED_WITH_RESPONSE_HEADER"}
	}
	v := op.Value
	var err error
	switch parts[2] + "/" + parts[3] {
	case "throttling/rateLimit":
		ms.ThrottlingRateLimit, err = strconv.ParseFloat(v, 64)
	case "throttling/burstLimit":
		ms.ThrottlingBurstLimit, err = strconv.Atoi(v)
	case "logging/loglevel":
		ms.LoggingLevel = v
	case "logging/dataTrace":
		ms.DataTraceEnabled = v == "true"
	case "metrics/enabled":
		ms.MetricsEnabled = v == "true"
	case "caching/enabled":
		ms.CachingEnabled = v == "true"
	case "caching/ttlInSeconds":
		ms.CacheTTLInSeconds, err = strconv.Atoi(v)
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted = v == "true"
	case "caching/requireAuthorizationForCacheControl":
		ms.RequireAuthForCache = v == "true"
	case "caching/unauthorizedCacheControlHeaderStrategy":
		switch v {
		case "FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER":
			ms.UnauthorizedCacheCtl = v
		default:
			return badRequest("Invalid value %q for %s", v, op.Path)
		}
	default:
		return invalidPatch(op)
	}
	if err != nil {
		return badRequest("Invalid value %q for %s", v, op.Path)
	}
	if ms.CacheTTLInSeconds < 0 || ms.CacheTTLInSeconds > maxCacheTTL {
		return badRequest("Cache ttl must be between 0 and %d seconds", maxCacheTTL)
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*MethodSetting{}
	}
	st.MethodSettings[key] = ms
	return nil
}

// DeleteStage removes a stage.
func (s *Service) DeleteStage(ctx context.Context, in *StageInput) (*Empty, error) {
	err := s.store.DeleteAPIObject(ctx, store.KindStage, callerAccount(ctx), in.RestAPIID, in.StageName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Stage")
	}
	if err != nil {
		return nil, err
	}
	s.routes.drop(in.RestAPIID)
	s.flushCache(in.RestAPIID, in.StageName)
	return &Empty{Status: 202}, nil
}

// checkCanary holds a stage's canary settings to AWS's rules: a share between 0 and 100 of
// traffic to a deployment of the API (the stage's own when none is named).
func (s *Service) checkCanary(ctx context.Context, account, apiID string, st *Stage) error {
	c := st.CanarySettings
	if c == nil {
		return nil
	}
	if c.PercentTraffic < 0 || c.PercentTraffic > 100 {
		return badRequest("Canary traffic percentage must be between 0.0 and 100.0")
	}
	if c.DeploymentID == "" {
		c.DeploymentID = st.DeploymentID
	}
	if _, err := s.loadDeployment(ctx, account, apiID, c.DeploymentID); err != nil {
		return err
	}
	return validateVariables(c.StageVariableOverrides)
}

// cacheStatus is a stage's cacheClusterStatus: its cache is there at once when enabled.
func cacheStatus(enabled bool) string {
	if enabled {
		return "AVAILABLE"
	}
	return "NOT_AVAILABLE"
}
