#!/usr/bin/env node
/**
 * An independent verifier for our Open Badges 3.0 credentials: Digital Bazaar's VC libraries
 * (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite), run fully offline.
 *
 * Usage:
 *   node verify.mjs CREDENTIAL.json [--did-document DID.json]... [--status-list LIST.json]...
 *                   [--now 2026-03-02T09:00:00Z]
 *   cat credential.json | node verify.mjs - --did-document did.json
 *
 * Prints {"verified": true|false, "errors": ["..."]} on stdout; exits 0 when verified, 1 when
 * not, 2 on bad usage. JSON-LD contexts come only from ../../credentials/contexts (index.json maps
 * each URL to its file); did:key is resolved by @digitalbazaar/did-method-key; any other DID or
 * key only from the DID documents given; a status list only from the files given (served at
 * their `id`). Every other URL is refused: there is no network, so a credential whose status
 * list was not given fails rather than passing unchecked.
 *
 * Revocation uses @digitalbazaar/vc-bitstring-status-list. Its checkStatus reports whether the
 * status could be *checked*; the bit itself is in results[].status, so a set bit is turned into
 * a failure here. The status list credential is verified first with the same `now`.
 */
import {readFile} from 'node:fs/promises';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';

const CONTEXTS_DIR = new URL('../../credentials/contexts/', import.meta.url);

async function readJson(path) {
  if(path === '-') {
    const chunks = [];
    for await (const chunk of process.stdin) {
      chunks.push(chunk);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }
  return JSON.parse(await readFile(path, 'utf8'));
}

async function bundledContexts() {
  const index = JSON.parse(await readFile(new URL('index.json', CONTEXTS_DIR), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(await readFile(new URL(file, CONTEXTS_DIR), 'utf8')));
  }
  return contexts;
}

function offlineDocumentLoader({contexts, didDocuments, statusLists}) {
  const didKeyDriver = didKey.driver();
  didKeyDriver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });
  const loaded = document => ({contextUrl: null, documentUrl: null, document});

  return async url => {
    if(contexts.has(url)) {
      return {...loaded(structuredClone(contexts.get(url))), documentUrl: url};
    }
    if(statusLists.has(url)) {
      return {...loaded(structuredClone(statusLists.get(url))), documentUrl: url};
    }
    if(url.startsWith('did:key:')) {
      return {...loaded(await didKeyDriver.get({url})), documentUrl: url};
    }
    const [did, fragment] = url.split('#');
    const didDocument = didDocuments.get(did);
    if(didDocument && fragment === undefined) {
      return {...loaded(structuredClone(didDocument)), documentUrl: url};
    }
    const method = didDocument?.verificationMethod?.find(({id}) => id === url);
    if(method) {
      return {
        ...loaded({'@context': didDocument['@context'], ...structuredClone(method)}),
        documentUrl: url
      };
    }
    throw new Error(`refusing to load ${url}: not a bundled context or a given DID (offline)`);
  };
}

function messages(error) {
  if(!error) {
    return [];
  }
  const nested = Array.isArray(error.errors) ? error.errors.flatMap(messages) : [];
  const event = error.details?.event;
  const detail = event ? ` (${event.code}: ${event.message} ${JSON.stringify(event.details ?? {})})` : '';
  const own = error.message ? [`${error.name ?? 'Error'}: ${error.message}${detail}`] : [String(error)];
  return nested.length ? nested : own;
}

function errorsOf(result) {
  const errors = [
    ...messages(result.error),
    ...(result.statusResult && !result.statusResult.verified ?
      messages(result.statusResult.error) : []),
    ...(result.results ?? []).flatMap(r => r.verified ? [] : messages(r.error))
  ];
  return [...new Set(errors)];
}

async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'did-document': {type: 'string', multiple: true, default: []},
        'status-list': {type: 'string', multiple: true, default: []},
        now: {type: 'string'}
      }
    });
  } catch(error) {
    console.error(error.message);
    return 2;
  }
  if(args.positionals.length !== 1) {
    console.error('usage: node verify.mjs CREDENTIAL.json|- [--did-document DID.json]... [--now ISO]');
    return 2;
  }
  const credential = await readJson(args.positionals[0]);
  const didDocuments = new Map();
  for(const path of args.values['did-document']) {
    const document = await readJson(path);
    didDocuments.set(document.id, document);
  }
  const statusLists = new Map();
  for(const path of args.values['status-list']) {
    const document = await readJson(path);
    statusLists.set(document.id, document);
  }
  const documentLoader = offlineDocumentLoader({
    contexts: await bundledContexts(), didDocuments, statusLists
  });
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const now = args.values.now;

  async function checkStatus({credential}) {
    const url = credential.credentialStatus?.statusListCredential;
    const {document: list} = await documentLoader(url);
    const listResult = await vc.verifyCredential({
      credential: list, suite, documentLoader, ...(now ? {now} : {})
    });
    if(!listResult.verified) {
      const reasons = errorsOf(listResult).join('; ');
      return {verified: false, error: new Error(`status list not verified: ${reasons}`)};
    }
    const result = await checkBitstringStatus({
      credential, documentLoader, suite, verifyBitstringStatusListCredential: false
    });
    if(!result.verified) {
      return result;
    }
    const set = result.results.find(({status}) => status === true);
    if(set) {
      const word = set.credentialStatus?.statusPurpose === 'suspension' ? 'suspended' : 'revoked';
      return {verified: false, error: new Error(`credential ${word} (status list bit set)`)};
    }
    return result;
  }

  let result;
  try {
    result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus,
      ...(now ? {now} : {})
    });
  } catch(error) {
    result = {verified: false, error};
  }
  const output = {verified: result.verified === true, errors: errorsOf(result)};
  process.stdout.write(JSON.stringify(output) + '\n');
  return output.verified ? 0 : 1;
}

process.exitCode = await main();
