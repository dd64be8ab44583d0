#!/usr/bin/env node
/**
 * An independent verifier for our Open Badges 3.0 credentials: Digital Bazaar's VC libraries
 * (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite), run fully offline.
 *
 * Usage:
 *   node verify.mjs CREDENTIAL.json [--did-document DID.json]... [--now 2026-03-02T09:00:00Z]
 *   cat credential.json | node verify.mjs - --did-document did.json
 *
 * Prints {"verified": true|false, "errors": ["..."]} on stdout; exits 0 when verified, 1 when
 * not, 2 on bad usage. JSON-LD contexts come only from ../../credentials/contexts (index.json maps
 * each URL to its file); did:key is resolved by @digitalbazaar/did-method-key; any other DID or
 * key only from the DID documents given. Every other URL is refused: there is no network.
 */
import {readFile} from 'node:fs/promises';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

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

function offlineDocumentLoader({contexts, didDocuments}) {
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
  const documentLoader = offlineDocumentLoader({contexts: await bundledContexts(), didDocuments});
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

  let result;
  try {
    result = await vc.verifyCredential({
      credential, suite, documentLoader,
      ...(args.values.now ? {now: args.values.now} : {})
    });
  } catch(error) {
    result = {verified: false, error};
  }
  const output = {verified: result.verified === true, errors: errorsOf(result)};
  process.stdout.write(JSON.stringify(output) + '\n');
  return output.verified ? 0 : 1;
}

process.exitCode = await main();
