package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"

	"github.com/gureum/gureum/internal/store"
)

// StageInput is CreateStage's and UpdateStage's request (on update, the members given change).
type StageInput struct {
	APIID                string                   `rest:"uri=apiId" json:"-"`
	PathStageName        string                   `rest:"uri=stageName" json:"-"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings"`
	AutoDeploy           *bool                    `json:"autoDeploy"`
	ClientCertificateID  *string                  `json:"clientCertificateId"`
	DefaultRouteSettings *RouteSettings           `json:"defaultRouteSettings"`
	DeploymentID         *string                  `json:"deploymentId"`
	Description          *string                  `json:"description"`
	RouteSettings        map[string]RouteSettings `json:"routeSettings"`
	StageName            string                   `json:"stageName"`
	StageVariables       map[string]string        `json:"stageVariables"`
	Tags                 map[string]string        `json:"tags"`
}

// StageOutput is a stage in an answer.
type StageOutput struct {
	Stage
	Status int `rest:"status" json:"-"`
}

// StagesOutput is GetStages' answer.
type StagesOutput struct {
	Items     []Stage `json:"items"`
	NextToken string  `json:"nextToken,omitempty"`
}

var (
	stageNamePattern   = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,128}$`)
	stageVarName       = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVarValue      = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]*$`)
	errStageNameFormat = "Stage name is invalid. Stage names may contain only alphanumeric characters, hyphens and underscores, or be $default"
)

// CreateStage adds a stage to an API.
func (s *Service) CreateStage(ctx context.Context, in *StageInput) (*StageOutput, error) {
	if in.StageName != defaultStage && !stageNamePattern.MatchString(in.StageName) {
		return nil, badRequest("%s", errStageNameFormat)
	}
	now := s.now().UTC().Truncate(1e9)
	st := &Stage{StageName: in.StageName, CreatedDate: now, LastUpdatedDate: now, DefaultRouteSettings: &RouteSettings{}, RouteSettings: map[string]RouteSettings{}, Tags: in.Tags}
	doc, err := s.mutateAPI(ctx, in.APIID, false, func(doc *apiDoc) error {
		if doc.Stages[in.StageName] != nil {
			return ErrConflict.Errorf("Stage already exists")
		}
		if in.StageName == defaultStage && doc.API.ProtocolType != protocolHTTP {
			return badRequest("The $default stage is supported only for HTTP APIs")
		}
		if err := s.applyStage(ctx, doc, st, in); err != nil {
			return err
		}
		doc.Stages[in.StageName] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	if st.AutoDeploy && st.DeploymentID == "" {
		if _, err := s.mutateAPI(ctx, in.APIID, true, func(*apiDoc) error { return nil }); err != nil {
			return nil, err
		}
		doc, _, _ = s.loadAPI(ctx, callerAccount(ctx), in.APIID)
		if doc != nil && doc.Stages[in.StageName] != nil {
			st = doc.Stages[in.StageName]
		}
	}
	return &StageOutput{Stage: *st, Status: 201}, nil
}

// applyStage sets what a request gives on a stage, held to AWS's rules.
func (s *Service) applyStage(ctx context.Context, doc *apiDoc, st *Stage, in *StageInput) error {
	if in.AccessLogSettings != nil {
		st.AccessLogSettings = in.AccessLogSettings
	}
	set(&st.AutoDeploy, in.AutoDeploy)
	set(&st.ClientCertificateID, in.ClientCertificateID)
	set(&st.Description, in.Description)
	if in.DefaultRouteSettings != nil {
		if err := checkRouteSettings(*in.DefaultRouteSettings); err != nil {
			return err
		}
		st.DefaultRouteSettings = in.DefaultRouteSettings
	}
	for key, rs := range in.RouteSettings {
		if !hasRouteKey(doc, key) {
			return badRequest("Invalid route key specified in route settings: %s", key)
		}
		if err := checkRouteSettings(rs); err != nil {
			return err
		}
		st.RouteSettings[key] = rs
	}
	if in.StageVariables != nil {
		for k, v := range in.StageVariables {
			if !stageVarName.MatchString(k) || len(v) > 2048 || !stageVarValue.MatchString(v) {
				return badRequest("Stage variable names must be alphanumeric or underscores and values may contain only alphanumerics and -._~:/?#&=,")
			}
		}
		st.StageVariables = in.StageVariables
	}
	if in.DeploymentID != nil && *in.DeploymentID != st.DeploymentID {
		if st.AutoDeploy {
			return badRequest("Deployment ID cannot be set on a stage with auto deploy enabled")
		}
		if _, err := s.store.APIObject(ctx, kindDeployment, callerAccount(ctx), doc.API.APIID, *in.DeploymentID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return badRequest("Deployment %s does not exist", *in.DeploymentID)
			}
			return err
		}
		st.DeploymentID = *in.DeploymentID
	}
	st.LastUpdatedDate = s.now().UTC().Truncate(1e9)
	return nil
}

func hasRouteKey(doc *apiDoc, key string) bool {
	for _, r := range doc.Routes {
		if r.RouteKey == key {
			return true
		}
	}
	return false
}

func checkRouteSettings(rs RouteSettings) error {
	if rs.ThrottlingBurstLimit != nil && *rs.ThrottlingBurstLimit < 0 || rs.ThrottlingRateLimit != nil && *rs.ThrottlingRateLimit < 0 {
		return badRequest("Throttling limits must be non-negative")
	}
	switch rs.LoggingLevel {
	case "", "ERROR", "INFO", "OFF":
		return nil
	}
	return badRequest("Invalid logging level specified: %s", rs.LoggingLevel)
}

// GetStage describes a stage.
func (s *Service) GetStage(ctx context.Context, in *StageNameInput) (*StageOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	st := doc.Stages[in.StageName]
	if st == nil {
		return nil, notFound("Stage", callerAccount(ctx), in.StageName)
	}
	return &StageOutput{Stage: *st, Status: 200}, nil
}

// GetStages lists an API's stages.
func (s *Service) GetStages(ctx context.Context, in *ListInput) (*StagesOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID)
	if err != nil {
		return nil, err
	}
	items, next, err := page(values(doc.Stages), in.MaxResults, in.NextToken, func(st Stage) string { return st.StageName })
	if err != nil {
		return nil, err
	}
	return &StagesOutput{Items: items, NextToken: next}, nil
}

// UpdateStage changes a stage; turning on automatic deployment deploys.
func (s *Service) UpdateStage(ctx context.Context, in *StageInput) (*StageOutput, error) {
	redeploy := in.AutoDeploy != nil && *in.AutoDeploy
	var out Stage
	_, err := s.mutateAPI(ctx, in.APIID, redeploy, func(doc *apiDoc) error {
		st := doc.Stages[in.PathStageName]
		if st == nil {
			return notFound("Stage", callerAccount(ctx), in.PathStageName)
		}
		if err := s.applyStage(ctx, doc, st, in); err != nil {
			return err
		}
		out = *st
		return nil
	})
	if err != nil {
		return nil, err
	}
	if redeploy {
		if doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID); err == nil && doc.Stages[in.PathStageName] != nil {
			out = *doc.Stages[in.PathStageName]
		}
	}
	return &StageOutput{Stage: out, Status: 200}, nil
}

// DeleteStage removes a stage.
func (s *Service) DeleteStage(ctx context.Context, in *StageNameInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, false, func(doc *apiDoc) error {
		if doc.Stages[in.StageName] == nil {
			return notFound("Stage", callerAccount(ctx), in.StageName)
		}
		delete(doc.Stages, in.StageName)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.sockets.closeStage(in.APIID, in.StageName)
	return &Empty{Status: 204}, nil
}

// RouteSettingsInput names a stage's settings for one route.
type RouteSettingsInput struct {
	APIID     string `rest:"uri=apiId" json:"-"`
	StageName string `rest:"uri=stageName" json:"-"`
	RouteKey  string `rest:"uri=routeKey" json:"-"`
}

// DeleteRouteSettings removes a stage's settings for a route.
func (s *Service) DeleteRouteSettings(ctx context.Context, in *RouteSettingsInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, false, func(doc *apiDoc) error {
		st := doc.Stages[in.StageName]
		if st == nil {
			return notFound("Stage", callerAccount(ctx), in.StageName)
		}
		if _, ok := st.RouteSettings[in.RouteKey]; !ok {
			return ErrNotFound.Errorf("Unable to find route settings for route key %s", in.RouteKey)
		}
		delete(st.RouteSettings, in.RouteKey)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DeleteAccessLogSettings removes a stage's access log settings.
func (s *Service) DeleteAccessLogSettings(ctx context.Context, in *StageNameInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.APIID, false, func(doc *apiDoc) error {
		st := doc.Stages[in.StageName]
		if st == nil {
			return notFound("Stage", callerAccount(ctx), in.StageName)
		}
		st.AccessLogSettings = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DeploymentInput is CreateDeployment's and UpdateDeployment's request.
type DeploymentInput struct {
	APIID        string `rest:"uri=apiId" json:"-"`
	DeploymentID string `rest:"uri=deploymentId" json:"-"`
	Description  string `json:"description"`
	StageName    string `json:"stageName"`
}

// DeploymentOutput is a deployment in an answer.
type DeploymentOutput struct {
	Deployment
	Status int `rest:"status" json:"-"`
}

// DeploymentIDInput names a deployment.
type DeploymentIDInput struct {
	APIID        string `rest:"uri=apiId" json:"-"`
	DeploymentID string `rest:"uri=deploymentId" json:"-"`
}

// DeploymentsOutput is GetDeployments' answer.
type DeploymentsOutput struct {
	Items     []Deployment `json:"items"`
	NextToken string       `json:"nextToken,omitempty"`
}

// newDeployment snapshots an API's routes, integrations, authorizers and CORS configuration.
func (s *Service) newDeployment(doc *apiDoc, description string, auto bool) *deploymentDoc {
	return &deploymentDoc{
		Deployment: Deployment{DeploymentID: newID(6), AutoDeployed: auto, CreatedDate: s.now().UTC().Truncate(1e9),
			DeploymentStatus: "DEPLOYED", Description: description},
		Snapshot: snapshot{Routes: doc.Routes, Integrations: doc.Integrations, Authorizers: doc.Authorizers, Cors: doc.API.CorsConfiguration},
	}
}

func (s *Service) storeDeployment(ctx context.Context, account, apiID string, d *deploymentDoc) error {
	b, _ := json.Marshal(d)
	return s.store.CreateAPIObject(ctx, store.APIObject{Kind: kindDeployment, Account: account, Parent: apiID, ID: d.Deployment.DeploymentID, Doc: b, Created: s.now()})
}

// CreateDeployment deploys an API: a snapshot, and the named stage pointed at it.
func (s *Service) CreateDeployment(ctx context.Context, in *DeploymentInput) (*DeploymentOutput, error) {
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, in.APIID)
	if err != nil {
		return nil, err
	}
	if in.StageName != "" {
		st := doc.Stages[in.StageName]
		if st == nil {
			return nil, badRequest("Invalid stage identifier specified")
		}
		if st.AutoDeploy {
			return nil, badRequest("Stage %s has auto deploy enabled; deployments to it are automatic", in.StageName)
		}
	}
	if doc.API.ProtocolType == protocolWebSocket && len(doc.Routes) == 0 {
		return nil, badRequest("At least one route is required before deploying the Api.")
	}
	d := s.newDeployment(doc, in.Description, false)
	if err := s.storeDeployment(ctx, account, in.APIID, d); err != nil {
		return nil, err
	}
	if in.StageName != "" {
		_, err := s.mutateAPI(ctx, in.APIID, false, func(doc *apiDoc) error {
			st := doc.Stages[in.StageName]
			if st == nil {
				return badRequest("Invalid stage identifier specified")
			}
			st.DeploymentID = d.Deployment.DeploymentID
			st.LastDeploymentStatusMessage = "Successfully deployed stage with deployment ID '" + d.Deployment.DeploymentID + "'"
			st.LastUpdatedDate = d.Deployment.CreatedDate
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return &DeploymentOutput{Deployment: d.Deployment, Status: 201}, nil
}

func (s *Service) loadDeployment(ctx context.Context, account, apiID, id string) (*deploymentDoc, store.APIObject, error) {
	obj, err := s.store.APIObject(ctx, kindDeployment, account, apiID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, obj, notFound("Deployment", account, id)
	}
	if err != nil {
		return nil, obj, err
	}
	var d deploymentDoc
	if err := json.Unmarshal(obj.Doc, &d); err != nil {
		return nil, obj, err
	}
	return &d, obj, nil
}

// GetDeployment describes a deployment.
func (s *Service) GetDeployment(ctx context.Context, in *DeploymentIDInput) (*DeploymentOutput, error) {
	if _, _, err := s.loadAPI(ctx, callerAccount(ctx), in.APIID); err != nil {
		return nil, err
	}
	d, _, err := s.loadDeployment(ctx, callerAccount(ctx), in.APIID, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return &DeploymentOutput{Deployment: d.Deployment, Status: 200}, nil
}

// GetDeployments lists an API's deployments.
func (s *Service) GetDeployments(ctx context.Context, in *ListInput) (*DeploymentsOutput, error) {
	account := callerAccount(ctx)
	if _, _, err := s.loadAPI(ctx, account, in.APIID); err != nil {
		return nil, err
	}
	objs, err := s.store.APIObjects(ctx, kindDeployment, account, in.APIID)
	if err != nil {
		return nil, err
	}
	var items []Deployment
	for _, o := range objs {
		var d deploymentDoc
		if json.Unmarshal(o.Doc, &d) == nil {
			items = append(items, d.Deployment)
		}
	}
	items, next, err := page(items, in.MaxResults, in.NextToken, func(d Deployment) string { return d.DeploymentID })
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []Deployment{}
	}
	return &DeploymentsOutput{Items: items, NextToken: next}, nil
}

// UpdateDeployment changes a deployment's description.
func (s *Service) UpdateDeployment(ctx context.Context, in *DeploymentInput) (*DeploymentOutput, error) {
	account := callerAccount(ctx)
	d, obj, err := s.loadDeployment(ctx, account, in.APIID, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	d.Deployment.Description = in.Description
	obj.Doc, _ = json.Marshal(d)
	if err := s.store.UpdateAPIObject(ctx, obj, obj.Version); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, ErrConflict.Errorf("Unable to complete operation due to concurrent modification. Please try again later.")
		}
		return nil, err
	}
	return &DeploymentOutput{Deployment: d.Deployment, Status: 200}, nil
}

// DeleteDeployment removes a deployment no stage serves.
func (s *Service) DeleteDeployment(ctx context.Context, in *DeploymentIDInput) (*Empty, error) {
	account := callerAccount(ctx)
	doc, _, err := s.loadAPI(ctx, account, in.APIID)
	if err != nil {
		return nil, err
	}
	for _, st := range doc.Stages {
		if st.DeploymentID == in.DeploymentID {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
	}
	if err := s.store.DeleteAPIObject(ctx, kindDeployment, account, in.APIID, in.DeploymentID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Deployment", account, in.DeploymentID)
		}
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
