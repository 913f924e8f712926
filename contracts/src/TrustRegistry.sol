// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITrustRegistry} from "./ITrustRegistry.sol";
import {TwoStepAdmin} from "./TwoStepAdmin.sol";

contract TrustRegistry is ITrustRegistry, TwoStepAdmin {
    uint8 private constant _AGENCY = 1;
    uint8 private constant _SEAL = 2;
    uint8 private constant _OFFICER = 3;
    uint8 private constant _TEMPLATE = 4;

    mapping(address => bytes2) private _authority;

    mapping(bytes32 => Agency) private _agencies;
    mapping(bytes32 => Seal) private _seals;
    mapping(bytes32 => Officer) private _officers;
    mapping(bytes32 => Template) private _templates;

    /// The caller must be an authority of `registrar`: nobody writes in another registrar's name.
    modifier asRegistrar(bytes2 registrar) {
        bytes2 own = _authority[msg.sender];
        if (own == bytes2(0)) revert NotAuthority(msg.sender);
        if (own != registrar) revert NotRegistrar(msg.sender, registrar);
        _;
    }

    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    // ---- consortium administration ----

    function addAuthority(bytes2 country, address account) external onlyAdmin {
        if (account == address(0)) revert ZeroAddress();
        _requireCountry(country);
        _authority[account] = country;
        emit AuthorityAdded(country, account);
    }

    function removeAuthority(address account) external onlyAdmin {
        bytes2 country = _authority[account];
        if (country == bytes2(0)) revert NotAuthority(account);
        delete _authority[account];
        emit AuthorityRemoved(country, account);
    }

    function authorityOf(address account) external view returns (bytes2) {
        return _authority[account];
    }

    // ---- writes ----

    function registerAgency(bytes2 registrar, string calldata id, bytes2 country, string calldata name, bool authoritative)
        external
        asRegistrar(registrar)
    {
        _requireCountry(country);
        if (authoritative && country != registrar) revert NotAuthoritativeFor(registrar, country);
        Agency storage a = _agencies[_key(registrar, id)];
        if (a.registeredAt != 0) revert RecordExists(registrar, id);
        _agencies[_key(registrar, id)] =
            Agency(id, country, name, registrar, msg.sender, authoritative, uint64(block.timestamp), 0);
        emit AgencyRegistered(registrar, id, country, name, authoritative);
    }

    function registerSeal(bytes2 registrar, string calldata id, string calldata agencyId, bytes32 imageSha256)
        external
        asRegistrar(registrar)
    {
        if (imageSha256 == bytes32(0)) revert ZeroHash();
        Agency storage agency = _liveAgency(registrar, agencyId);
        bytes32 key = _key(registrar, id);
        if (_seals[key].registeredAt != 0) revert RecordExists(registrar, id);
        _seals[key] = Seal(
            id, agencyId, imageSha256, registrar, msg.sender, agency.authoritative, uint64(block.timestamp), 0
        );
        emit SealRegistered(registrar, id, agencyId, imageSha256, agency.authoritative);
    }

    function registerOfficer(
        bytes2 registrar,
        string calldata id,
        string calldata agencyId,
        bytes32 signatureSha256,
        uint64 validFrom,
        uint64 validTo
    ) external asRegistrar(registrar) {
        if (signatureSha256 == bytes32(0)) revert ZeroHash();
        if (validTo != 0 && validTo < validFrom) revert InvalidValidity(validFrom, validTo);
        Agency storage agency = _liveAgency(registrar, agencyId);
        bytes32 key = _key(registrar, id);
        if (_officers[key].registeredAt != 0) revert RecordExists(registrar, id);
        _officers[key] = Officer(
            id,
            agencyId,
            signatureSha256,
            validFrom,
            validTo,
            registrar,
            msg.sender,
            agency.authoritative,
            uint64(block.timestamp),
            0
        );
        emit OfficerRegistered(registrar, id, agencyId, signatureSha256, validFrom, validTo, agency.authoritative);
    }

    function setOfficerValidity(bytes2 registrar, string calldata id, uint64 validFrom, uint64 validTo)
        external
        asRegistrar(registrar)
    {
        if (validTo != 0 && validTo < validFrom) revert InvalidValidity(validFrom, validTo);
        Officer storage o = _officers[_key(registrar, id)];
        if (o.registeredAt == 0) revert UnknownRecord(registrar, id);
        if (o.revokedAt != 0) revert AlreadyRevoked(registrar, id);
        o.validFrom = validFrom;
        o.validTo = validTo;
        emit OfficerValidityChanged(registrar, id, validFrom, validTo);
    }

    function registerTemplate(
        bytes2 registrar,
        string calldata id,
        bytes2 country,
        bytes32 templateSha256,
        bool authoritative
    ) external asRegistrar(registrar) {
        _requireCountry(country);
        if (templateSha256 == bytes32(0)) revert ZeroHash();
        if (authoritative && country != registrar) revert NotAuthoritativeFor(registrar, country);
        bytes32 key = _key(registrar, id);
        if (_templates[key].registeredAt != 0) revert RecordExists(registrar, id);
        _templates[key] =
            Template(id, country, templateSha256, registrar, msg.sender, authoritative, uint64(block.timestamp), 0);
        emit TemplateRegistered(registrar, id, country, templateSha256, authoritative);
    }

    // ---- revocation ----

    function revokeAgency(bytes2 registrar, string calldata id, string calldata reason) external asRegistrar(registrar) {
        Agency storage r = _agencies[_key(registrar, id)];
        _checkRevocable(r.registeredAt, r.revokedAt, registrar, id);
        r.revokedAt = uint64(block.timestamp);
        emit RecordRevoked(_AGENCY, registrar, id, reason);
    }

    function revokeSeal(bytes2 registrar, string calldata id, string calldata reason) external asRegistrar(registrar) {
        Seal storage r = _seals[_key(registrar, id)];
        _checkRevocable(r.registeredAt, r.revokedAt, registrar, id);
        r.revokedAt = uint64(block.timestamp);
        emit RecordRevoked(_SEAL, registrar, id, reason);
    }

    function revokeOfficer(bytes2 registrar, string calldata id, string calldata reason) external asRegistrar(registrar) {
        Officer storage r = _officers[_key(registrar, id)];
        _checkRevocable(r.registeredAt, r.revokedAt, registrar, id);
        r.revokedAt = uint64(block.timestamp);
        emit RecordRevoked(_OFFICER, registrar, id, reason);
    }

    function revokeTemplate(bytes2 registrar, string calldata id, string calldata reason)
        external
        asRegistrar(registrar)
    {
        Template storage r = _templates[_key(registrar, id)];
        _checkRevocable(r.registeredAt, r.revokedAt, registrar, id);
        r.revokedAt = uint64(block.timestamp);
        emit RecordRevoked(_TEMPLATE, registrar, id, reason);
    }

    // ---- reads (a record that was never written comes back with registeredAt == 0) ----

    function getAgency(bytes2 registrar, string calldata id) external view returns (Agency memory) {
        return _agencies[_key(registrar, id)];
    }

    function getSeal(bytes2 registrar, string calldata id) external view returns (Seal memory) {
        return _seals[_key(registrar, id)];
    }

    function getOfficer(bytes2 registrar, string calldata id) external view returns (Officer memory) {
        return _officers[_key(registrar, id)];
    }

    function getTemplate(bytes2 registrar, string calldata id) external view returns (Template memory) {
        return _templates[_key(registrar, id)];
    }

    // ---- internals ----

    function _key(bytes2 registrar, string calldata id) private pure returns (bytes32) {
        if (bytes(id).length == 0) revert EmptyId();
        return keccak256(abi.encode(registrar, id));
    }

    function _liveAgency(bytes2 registrar, string calldata agencyId) private view returns (Agency storage a) {
        a = _agencies[_key(registrar, agencyId)];
        if (a.registeredAt == 0 || a.revokedAt != 0) revert UnknownAgency(registrar, agencyId);
    }

    function _checkRevocable(uint64 registeredAt, uint64 revokedAt, bytes2 registrar, string calldata id)
        private
        pure
    {
        if (registeredAt == 0) revert UnknownRecord(registrar, id);
        if (revokedAt != 0) revert AlreadyRevoked(registrar, id);
    }

    function _requireCountry(bytes2 country) private pure {
        if (!(_isUpper(country[0]) && _isUpper(country[1]))) revert InvalidCountry(country);
    }

    function _isUpper(bytes1 c) private pure returns (bool) {
        return c >= 0x41 && c <= 0x5A;
    }
}
