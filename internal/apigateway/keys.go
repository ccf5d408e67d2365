package apigateway

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateApiKeyInput is CreateApiKey's request.
type CreateApiKeyInput struct {
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Enabled            bool              `json:"enabled"`
	GenerateDistinctID bool              `json:"generateDistinctId"`
	Value              string            `json:"value"`
	StageKeys          []json.RawMessage `json:"stageKeys"`
	CustomerID         string            `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

// APIKeyOutput is an API key in an answer.
type APIKeyOutput struct {
	APIKey
	Status int `rest:"status" json:"-"`
}

// APIKeyInput names an API key.
type APIKeyInput struct {
	APIKey       string `rest:"uri=api_Key" json:"-"`
	IncludeValue bool   `rest:"query=includeValue" json:"-"`
}

// APIKeysInput is GetApiKeys' request.
type APIKeysInput struct {
	Position      string `rest:"query=position" json:"-"`
	Limit         int    `rest:"query=limit" json:"-"`
	NameQuery     string `rest:"query=name" json:"-"`
	CustomerID    string `rest:"query=customerId" json:"-"`
	IncludeValues bool   `rest:"query=includeValues" json:"-"`
}

// APIKeysOutput is GetApiKeys' answer.
type APIKeysOutput struct {
	Items    []APIKey `json:"item"`
	Position string   `json:"position,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// APIKeyUpdateInput is UpdateApiKey's request.
type APIKeyUpdateInput struct {
	APIKey          string           `rest:"uri=api_Key" json:"-"`
	PatchOperations []PatchOperation `json:"patchOperations"`
}

// keyAlphabet is what generated key values are made of.
const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// CreateApiKey creates an API key with the given value or a generated one.
func (s *Service) CreateApiKey(ctx context.Context, in *CreateApiKeyInput) (*APIKeyOutput, error) {
	k := APIKey{Name: in.Name, Description: in.Description, Enabled: in.Enabled, Value: in.Value, CustomerID: in.CustomerID, Tags: in.Tags}
	if err := s.createKey(ctx, &k); err != nil {
		return nil, err
	}
	return &APIKeyOutput{APIKey: k, Status: 201}, nil
}

func (s *Service) createKey(ctx context.Context, k *APIKey) error {
	if k.Value == "" {
		k.Value = randomString(40, keyAlphabet)
	} else if len(k.Value) < 20 || len(k.Value) > 128 {
		return badRequest("API Key value should be at least 20 characters and at most 128 characters")
	}
	k.ID = newID()
	now := s.now()
	k.CreatedDate, k.LastUpdatedDate, k.StageKeys = now.Unix(), now.Unix(), []string{}
	stored := *k
	stored.Value = ""
	doc, _ := json.Marshal(stored)
	err := s.store.CreateAPIKey(ctx, store.APIKey{Account: callerAccount(ctx), ID: k.ID, Value: k.Value, Enabled: k.Enabled, Doc: doc, Created: now})
	if errors.Is(err, store.ErrExists) {
		return ErrConflict.Errorf("API Key already exists")
	}
	return err
}

// apiKey turns a stored key into its wire form, with its value when asked.
func apiKey(k store.APIKey, withValue bool) APIKey {
	var out APIKey
	json.Unmarshal(k.Doc, &out)
	out.ID, out.Enabled = k.ID, k.Enabled
	if withValue {
		out.Value = k.Value
	}
	if out.StageKeys == nil {
		out.StageKeys = []string{}
	}
	return out
}

func (s *Service) loadKey(ctx context.Context, id string) (store.APIKey, error) {
	k, err := s.store.APIKey(ctx, callerAccount(ctx), id)
	if errors.Is(err, store.ErrNotFound) {
		return k, ErrNotFound.Errorf("Invalid API Key identifier specified")
	}
	return k, err
}

// GetApiKey describes an API key.
func (s *Service) GetApiKey(ctx context.Context, in *APIKeyInput) (*APIKeyOutput, error) {
	k, err := s.loadKey(ctx, in.APIKey)
	if err != nil {
		return nil, err
	}
	return &APIKeyOutput{APIKey: apiKey(k, in.IncludeValue)}, nil
}

// GetApiKeys lists the account's API keys.
func (s *Service) GetApiKeys(ctx context.Context, in *APIKeysInput) (*APIKeysOutput, error) {
	keys, err := s.store.APIKeys(ctx, callerAccount(ctx))
	if err != nil {
		return nil, err
	}
	var all []APIKey
	for _, k := range keys {
		out := apiKey(k, in.IncludeValues)
		if in.NameQuery != "" && !strings.HasPrefix(out.Name, in.NameQuery) || in.CustomerID != "" && out.CustomerID != in.CustomerID {
			continue
		}
		all = append(all, out)
	}
	page, next, err := paginate(len(all), in.Position, in.Limit)
	if err != nil {
		return nil, err
	}
	return &APIKeysOutput{Items: append([]APIKey{}, all[page[0]:page[1]]...), Position: next}, nil
}

// UpdateApiKey applies patch operations to an API key.
func (s *Service) UpdateApiKey(ctx context.Context, in *APIKeyUpdateInput) (*APIKeyOutput, error) {
	k, err := s.loadKey(ctx, in.APIKey)
	if err != nil {
		return nil, err
	}
	out := apiKey(k, false)
	for _, op := range in.PatchOperations {
		switch {
		case op.Op == "replace" && op.Path == "/enabled":
			out.Enabled = op.Value == "true"
		case op.Op == "replace" && op.Path == "/name":
			out.Name = op.Value
		case op.Op == "replace" && op.Path == "/description":
			out.Description = op.Value
		case op.Op == "replace" && op.Path == "/customerId":
			out.CustomerID = op.Value
		default:
			return nil, invalidPatch(op)
		}
	}
	out.LastUpdatedDate = s.now().Unix()
	k.Enabled = out.Enabled
	k.Doc, _ = json.Marshal(out)
	if err := s.store.UpdateAPIKey(ctx, k); err != nil {
		return nil, err
	}
	s.forgetKey(k.ID)
	return &APIKeyOutput{APIKey: out}, nil
}

// DeleteApiKey removes an API key from the account and its usage plans.
func (s *Service) DeleteApiKey(ctx context.Context, in *APIKeyInput) (*Empty, error) {
	err := s.store.DeleteAPIKey(ctx, callerAccount(ctx), in.APIKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound.Errorf("Invalid API Key identifier specified")
	}
	if err != nil {
		return nil, err
	}
	s.forgetKey(in.APIKey)
	return &Empty{Status: 202}, nil
}

// ImportApiKeysInput is ImportApiKeys' request: a CSV file.
type ImportApiKeysInput struct {
	Body           []byte `rest:"payload" json:"-"`
	Format         string `rest:"query=format" json:"-"`
	FailOnWarnings bool   `rest:"query=failonwarnings" json:"-"`
}

// ImportApiKeysOutput is ImportApiKeys' answer.
type ImportApiKeysOutput struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings,omitempty"`
	Status   int      `rest:"status" json:"-"`
}

// ImportApiKeys creates API keys from a CSV file whose header names the columns (Key, Name,
// Description, Enabled, UsagePlanIds; case does not matter), adding each to the usage plans
// its row names.
func (s *Service) ImportApiKeys(ctx context.Context, in *ImportApiKeysInput) (*ImportApiKeysOutput, error) {
	if in.Format != "csv" {
		return nil, badRequest("Invalid format specified. Valid options are: csv")
	}
	rows, err := readKeyCSV(in.Body)
	if err != nil {
		return nil, err
	}
	out := &ImportApiKeysOutput{IDs: []string{}, Status: 201}
	for i, row := range rows {
		k := APIKey{Name: row["name"], Description: row["description"], Value: row["key"], Enabled: strings.EqualFold(row["enabled"], "true"), CustomerID: row["customerid"]}
		if k.Value == "" {
			out.Warnings = append(out.Warnings, "No key value specified at line "+strconv.Itoa(i+2))
			continue
		}
		if err := s.createKey(ctx, &k); err != nil {
			if in.FailOnWarnings {
				return nil, err
			}
			out.Warnings = append(out.Warnings, err.Error()+" at line "+strconv.Itoa(i+2))
			continue
		}
		out.IDs = append(out.IDs, k.ID)
		for _, plan := range strings.FieldsFunc(row["usageplanids"], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			if err := s.store.AddUsagePlanKey(ctx, callerAccount(ctx), plan, k.ID); err != nil {
				out.Warnings = append(out.Warnings, "Cannot add key to usage plan "+plan)
			}
		}
	}
	if in.FailOnWarnings && len(out.Warnings) > 0 {
		return nil, badRequest("%s", out.Warnings[0])
	}
	return out, nil
}

// readKeyCSV reads the rows of an API key CSV file as maps from lower-cased column names.
func readKeyCSV(body []byte) ([]map[string]string, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, badRequest("Invalid CSV: a header row is required")
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, badRequest("Invalid CSV: %v", err)
		}
		row := map[string]string{}
		for i, v := range rec {
			if i < len(header) {
				row[header[i]] = strings.TrimSpace(v)
			}
		}
		rows = append(rows, row)
	}
}
