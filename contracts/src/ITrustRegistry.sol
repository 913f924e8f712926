// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAdministered} from "./IAdministered.sol";

/// @title Consortium trust registry: issuing agencies, seal and signature specimens, templates.
/// @notice Every record belongs to a registrar (the customs authority of a country). An authority
/// registers its own country's agencies as authoritative records; an importing authority may
/// record specimens it received out of band from a partner, attested by itself (not
/// authoritative). No account can write, change or revoke a record in another registrar's name.
/// Which registrars to trust is the verifying node's configuration.
interface ITrustRegistry is IAdministered {
    struct Agency {
        string id;
        bytes2 country;
        string name;
        bytes2 registrar;
        address registeredBy;
        bool authoritative;
        uint64 registeredAt;
        uint64 revokedAt;
    }

    struct Seal {
        string id;
        string agencyId;
        bytes32 imageSha256;
        bytes2 registrar;
        address registeredBy;
        bool authoritative;
        uint64 registeredAt;
        uint64 revokedAt;
    }

    struct Officer {
        string id;
        string agencyId;
        bytes32 signatureSha256;
        uint64 validFrom;
        uint64 validTo;
        bytes2 registrar;
        address registeredBy;
        bool authoritative;
        uint64 registeredAt;
        uint64 revokedAt;
    }

    struct Template {
        string id;
        bytes2 country;
        bytes32 templateSha256;
        bytes2 registrar;
        address registeredBy;
        bool authoritative;
        uint64 registeredAt;
        uint64 revokedAt;
    }

    error NotAuthority(address caller);
    error NotRegistrar(address caller, bytes2 registrar);
    error NotAuthoritativeFor(bytes2 registrar, bytes2 country);
    error RecordExists(bytes2 registrar, string id);
    error UnknownRecord(bytes2 registrar, string id);
    error UnknownAgency(bytes2 registrar, string agencyId);
    error AlreadyRevoked(bytes2 registrar, string id);
    error InvalidValidity(uint64 validFrom, uint64 validTo);
    error InvalidCountry(bytes2 country);
    error EmptyId();
    error ZeroHash();
    error ZeroAddress();

    event AuthorityAdded(bytes2 indexed country, address indexed account);
    event AuthorityRemoved(bytes2 indexed country, address indexed account);
    event AgencyRegistered(bytes2 indexed registrar, string id, bytes2 country, string name, bool authoritative);
    event SealRegistered(bytes2 indexed registrar, string id, string agencyId, bytes32 imageSha256, bool authoritative);
    event OfficerRegistered(
        bytes2 indexed registrar,
        string id,
        string agencyId,
        bytes32 signatureSha256,
        uint64 validFrom,
        uint64 validTo,
        bool authoritative
    );
    event OfficerValidityChanged(bytes2 indexed registrar, string id, uint64 validFrom, uint64 validTo);
    event TemplateRegistered(
        bytes2 indexed registrar, string id, bytes2 country, bytes32 templateSha256, bool authoritative
    );
    /// kind: 1 agency, 2 seal, 3 officer, 4 template
    event RecordRevoked(uint8 indexed kind, bytes2 indexed registrar, string id, string reason);

    function version() external pure returns (string memory);
    function addAuthority(bytes2 country, address account) external;
    function removeAuthority(address account) external;
    function authorityOf(address account) external view returns (bytes2);

    function registerAgency(bytes2 registrar, string calldata id, bytes2 country, string calldata name, bool authoritative)
        external;
    function registerSeal(bytes2 registrar, string calldata id, string calldata agencyId, bytes32 imageSha256) external;
    function registerOfficer(
        bytes2 registrar,
        string calldata id,
        string calldata agencyId,
        bytes32 signatureSha256,
        uint64 validFrom,
        uint64 validTo
    ) external;
    function setOfficerValidity(bytes2 registrar, string calldata id, uint64 validFrom, uint64 validTo) external;
    function registerTemplate(
        bytes2 registrar,
        string calldata id,
        bytes2 country,
        bytes32 templateSha256,
        bool authoritative
    ) external;

    function revokeAgency(bytes2 registrar, string calldata id, string calldata reason) external;
    function revokeSeal(bytes2 registrar, string calldata id, string calldata reason) external;
    function revokeOfficer(bytes2 registrar, string calldata id, string calldata reason) external;
    function revokeTemplate(bytes2 registrar, string calldata id, string calldata reason) external;

    function getAgency(bytes2 registrar, string calldata id) external view returns (Agency memory);
    function getSeal(bytes2 registrar, string calldata id) external view returns (Seal memory);
    function getOfficer(bytes2 registrar, string calldata id) external view returns (Officer memory);
    function getTemplate(bytes2 registrar, string calldata id) external view returns (Template memory);
}
